/** Status codes are shown as four hex digits, the way PS3.7 Annex C writes them: "0xFF00". */
export function formatStatus(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
