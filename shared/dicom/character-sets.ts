/**
 * Specific Character Set (0008,0005) Defined Terms, PS3.3 C.12.1.1.2
 * (Tables C.12-2 to C.12-5), and the WHATWG encoding label that
 * TextDecoder uses for each (ISO 2022 code extensions: the decoder of the
 * extension, which switches on its escape sequences).
 */
export const CHARACTER_SET_ENCODINGS: ReadonlyMap<string, string> = new Map([
  ['', 'windows-1252'],
  ['ISO_IR 6', 'windows-1252'],
  ['ISO_IR 100', 'windows-1252'],
  ['ISO_IR 101', 'iso-8859-2'],
  ['ISO_IR 109', 'iso-8859-3'],
  ['ISO_IR 110', 'iso-8859-4'],
  ['ISO_IR 144', 'iso-8859-5'],
  ['ISO_IR 127', 'iso-8859-6'],
  ['ISO_IR 126', 'iso-8859-7'],
  ['ISO_IR 138', 'iso-8859-8'],
  ['ISO_IR 148', 'windows-1254'],
  ['ISO_IR 203', 'iso-8859-15'],
  ['ISO_IR 166', 'windows-874'],
  ['ISO_IR 13', 'shift_jis'],
  ['ISO_IR 192', 'utf-8'],
  ['GB18030', 'gb18030'],
  ['GBK', 'gbk'],
  ['ISO 2022 IR 6', 'windows-1252'],
  ['ISO 2022 IR 100', 'windows-1252'],
  ['ISO 2022 IR 101', 'iso-8859-2'],
  ['ISO 2022 IR 109', 'iso-8859-3'],
  ['ISO 2022 IR 110', 'iso-8859-4'],
  ['ISO 2022 IR 144', 'iso-8859-5'],
  ['ISO 2022 IR 127', 'iso-8859-6'],
  ['ISO 2022 IR 126', 'iso-8859-7'],
  ['ISO 2022 IR 138', 'iso-8859-8'],
  ['ISO 2022 IR 148', 'windows-1254'],
  ['ISO 2022 IR 203', 'iso-8859-15'],
  ['ISO 2022 IR 166', 'windows-874'],
  ['ISO 2022 IR 13', 'shift_jis'],
  ['ISO 2022 IR 87', 'iso-2022-jp'],
  ['ISO 2022 IR 159', 'iso-2022-jp'],
  ['ISO 2022 IR 149', 'euc-kr'],
  ['ISO 2022 IR 58', 'gbk'],
]);
