/** Write .br and .gz copies beside every compressible file under `dir`; returns how many. */
export function compressDir(dir: string): number;
