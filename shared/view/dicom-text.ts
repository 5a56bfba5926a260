/**
 * A DICOM value as one line of plain text (never markup): the first value of a
 * multi-valued attribute, and a person name with its component groups joined
 * by '=' again (PS3.5 §6.2.1: Alphabetic=Ideographic=Phonetic, trailing empty
 * groups dropped), so `<img src=x onerror=alert(1)>` shows whole.
 */
export function dicomText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? dicomText(value[0]) : null;
  if (typeof value === 'object' && ('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value)) {
    const pn = value as { Alphabetic?: unknown; Ideographic?: unknown; Phonetic?: unknown };
    const groups = [pn.Alphabetic, pn.Ideographic, pn.Phonetic].map((g) => (typeof g === 'string' ? g : ''));
    while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
    return groups.join('=');
  }
  return null;
}
