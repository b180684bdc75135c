/** Version printed by `--version` (the cache also keys its entries by it). */
export const VERSION = '0.1.0';
