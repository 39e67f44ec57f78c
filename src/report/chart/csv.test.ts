import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, csvText } from './csv.js';

describe('chart CSV', () => {
  it('quotes what needs quoting and defuses formulas in names, numbers in full', () => {
    expect(csvField('adamw')).toBe('adamw');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1 run')).toBe("'-1 run");
    expect(csvField(-0.000123456789)).toBe('-0.000123456789');
    expect(csvField(NaN)).toBe('NaN');
    expect(
      csvText(
        ['run', 'step'],
        [
          ['a', 1],
          ['b', 2],
        ],
      ),
    ).toBe('run,step\r\na,1\r\nb,2\r\n');
  });

  it('file names from tags', () => {
    expect(csvFileName('lr/d*lr')).toBe('lr_d_lr.csv');
    expect(csvFileName('loss/average')).toBe('loss_average.csv');
    expect(csvFileName('</script>')).toBe('script.csv');
    expect(csvFileName('***')).toBe('chart.csv');
  });
});
