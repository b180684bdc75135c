// cli-table3's own width function (src/utils.js has no types): the display width of the
// widest line of a string, ANSI colour codes not counted, wide characters counting 2.
declare module 'cli-table3/src/utils.js' {
  export function strlen(text: string): number;
}
