/** ai-toolkit's UI log file (toolkit/logging_aitk.py `create_logger`): `<training_folder>/<job>/loss_log.db`. */
export const SQLITE_LOG_NAME = 'loss_log.db';

export function isSqliteLogName(name: string): boolean {
  return name === SQLITE_LOG_NAME;
}
