/**
 * Runs at most `limit` of the given tasks at once, in the order they were asked for. Directory walks use
 * it to keep listings in flight (each waits on the thread pool) without opening thousands of directory
 * handles at once, which would hit the process's file limit (EMFILE) and turn directories into "unreadable".
 */
/** Runs a task when a slot is free; resolves with its result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(limit: number): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        running++;
        task().then(resolve, reject).finally(release);
      };
      if (running < limit) start();
      else waiting.push(start);
    });
}
