export * from './access';
export * from './accessErrors';
export * from './errors';
export * from './limits';
export * from './messages';
export * from './seed';
