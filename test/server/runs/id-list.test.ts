// IdList keeps a run's input ids as one UTF-8 buffer; the input hash covers its bytes in place of
// `ids.join('\n')`, so the two must agree byte for byte, for any ids.
import { describe, expect, it } from 'vitest';
import { IdList, IdListBuilder } from '../../../server/runs/packed-input';

const IDS = ['b0000000', 'Ä-ключ-🙂', '', 'with\nnewline', 'x'.repeat(300), '0a1b2c3d-0000-4000-8000-000000000000'];

describe('IdList', () => {
  it('gives back every id, and the bytes of any range as the UTF-8 of the ids joined by a line feed', () => {
    const list = IdList.from(IDS);
    expect(list.length).toBe(IDS.length);
    expect(list.toArray()).toEqual(IDS);
    expect([...list]).toEqual(IDS);
    for (let start = 0; start <= IDS.length; start++) {
      for (let end = start; end <= IDS.length; end++) {
        expect(Buffer.from(list.joined(start, end)).equals(Buffer.from(IDS.slice(start, end).join('\n'), 'utf8')), `${start}..${end}`).toBe(true);
      }
    }
    IDS.forEach((id, i) => {
      expect(Buffer.from(list.bytesOf(i)).toString('utf8')).toBe(id);
      expect(list.is(i, Buffer.from(id, 'utf8'))).toBe(true);
      expect(list.is(i, Buffer.from(`${id}?`, 'utf8'))).toBe(false);
    });
    expect(() => list.at(IDS.length)).toThrow(RangeError);
    expect(() => list.at(-1)).toThrow(RangeError);
  });

  it('builds from strings and from bytes alike, growing past its first guess, and survives a structured clone', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `${'long-id-'.repeat(i % 7)}${i}`);
    const fromStrings = IdList.from(many);
    const b = new IdListBuilder(many.length);
    for (const id of many) { const bytes = Buffer.from(id, 'utf8'); b.pushBytes(bytes, 0, bytes.length); }
    const fromBytes = b.list();
    expect(fromBytes).toEqual(fromStrings);
    expect(fromBytes.toArray()).toEqual(many);
    const cloned = IdList.of(structuredClone({ bytes: fromBytes.bytes, ends: fromBytes.ends }));
    expect(cloned.at(4999)).toBe(many[4999]);
    expect(cloned).toEqual(fromBytes);
  });

  it('refuses more or fewer ids than it was made for', () => {
    const b = new IdListBuilder(2);
    b.push('a');
    expect(() => b.list()).toThrow('1 ids appended to a list of 2');
    b.push('b');
    expect(() => b.push('c')).toThrow('more than the 2 ids');
    expect(b.list().toArray()).toEqual(['a', 'b']);
  });
});
