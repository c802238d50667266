/**
 * Text from a file or a file name, made safe for a terminal: control characters (an escape sequence could
 * rewrite the screen, a line break split a line in two) become `?`.
 */
export const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
