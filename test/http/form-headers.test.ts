// Content-Type (RFC 9110 §8.3.1), Content-Disposition of form parts (RFC 7578 §4.2) and filename*
// (RFC 8187) as the form parser reads them.
import { describe, expect, it } from 'vitest';
import { WasmlaneError } from '../../src/errors.js';
import { decodeExtValue, parseDisposition, parseMediaType, parsePartHeaders } from '../../src/http/form-headers.js';

describe('parseMediaType', () => {
  it('reads type and parameters: case-insensitive names, quoted values, OWS', () => {
    const m = parseMediaType('Multipart/Form-Data ; Boundary="a b;c=\\"d" ; charset=UTF-8')!;
    expect(m.type).toBe('multipart/form-data');
    expect(m.params.get('boundary')).toBe('a b;c="d');
    expect(m.params.get('charset')).toBe('UTF-8');
    expect(parseMediaType('multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW')!.params.get('boundary'))
      .toBe('----WebKitFormBoundary7MA4YWxkTrZu0gW');
  });

  it('keeps the first of a repeated parameter and tolerates a trailing ";"', () => {
    expect(parseMediaType('a/b; boundary=x; boundary=y;')!.params.get('boundary')).toBe('x');
  });

  it('refuses what is not type/subtype *(; name=value)', () => {
    for (const bad of ['', 'multipart', '/x', 'a/', 'a/b; boundary', 'a/b; boundary="open', 'a/b; =x', 'a/b x=y', 'a/b; b=']) {
      expect(parseMediaType(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('parseDisposition', () => {
  it('reads name and filename; a part without filename is a field', () => {
    expect(parseDisposition('form-data; name="user"')).toEqual({ name: 'user', filename: undefined });
    expect(parseDisposition('Form-Data; name=f; filename="a b.txt"')).toEqual({ name: 'f', filename: 'a b.txt' });
    expect(parseDisposition('form-data; name="f"; filename=""')).toEqual({ name: 'f', filename: '' });
  });

  it('keeps backslashes browsers send raw, unescapes \\" and \\\\ only', () => {
    expect(parseDisposition('form-data; name="f"; filename="C:\\dir\\a.txt"').filename).toBe('C:\\dir\\a.txt');
    expect(parseDisposition('form-data; name="f"; filename="say \\"hi\\" \\\\ ok"').filename).toBe('say "hi" \\ ok');
    expect(parseDisposition('form-data; name="a%22b"').name).toBe('a%22b'); // WHATWG escapes are left as sent
  });

  it('prefers a valid filename* (RFC 8187) over filename, falls back when it is not understood', () => {
    expect(parseDisposition("form-data; name=f; filename=\"euro.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt").filename)
      .toBe('€ rates.txt');
    expect(parseDisposition("form-data; name=f; filename*=iso-8859-1'en'%A3.txt").filename).toBe('£.txt');
    expect(parseDisposition("form-data; name=f; filename=\"plain\"; filename*=KOI8-R''%C1").filename).toBe('plain');
    expect(parseDisposition("form-data; name=f; filename=\"plain\"; filename*=UTF-8''%FF").filename).toBe('plain');
    expect(parseDisposition("form-data; name=f; filename=\"plain\"; filename*=UTF-8''%G1").filename).toBe('plain');
  });

  it('refuses a missing header, another type or a missing name (RFC 7578 §4.2) with WL_FORM_INVALID', () => {
    for (const bad of [undefined, 'attachment; name="x"', 'form-data', 'form-data; filename="a"', 'form-data; name="x']) {
      let code = '';
      try {
        parseDisposition(bad);
      } catch (error) {
        code = (error as WasmlaneError).code;
      }
      expect(code, String(bad)).toBe('WL_FORM_INVALID');
    }
  });

  it('decodes ext-values', () => {
    expect(decodeExtValue("UTF-8''a%20b")).toBe('a b');
    expect(decodeExtValue("utf-8'de'%C3%A4")).toBe('ä');
    expect(decodeExtValue('no-quotes')).toBeUndefined();
    expect(decodeExtValue("UTF-8''a b")).toBeUndefined();
  });
});

describe('parsePartHeaders', () => {
  it('lower-cases names, trims values, first wins, UTF-8', () => {
    const h = parsePartHeaders(Buffer.from('Content-Disposition: form-data; name="ä"\r\nContent-Type:  text/plain \r\ncontent-type: x/y', 'utf8'));
    expect({ ...h }).toEqual({ 'content-disposition': 'form-data; name="ä"', 'content-type': 'text/plain' });
    expect(parseDisposition(h['content-disposition']).name).toBe('ä');
  });

  it('refuses lines without a colon and folded lines', () => {
    expect(() => parsePartHeaders(Buffer.from('no colon here'))).toThrow(WasmlaneError);
    expect(() => parsePartHeaders(Buffer.from('A: b\r\n folded'))).toThrow(WasmlaneError);
  });
});
