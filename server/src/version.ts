/** Parley's version, as printed by `parley --version` and exported in /metrics. */
export const version = '0.1.0';
