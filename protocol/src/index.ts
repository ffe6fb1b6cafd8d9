export * from './access';
export * from './accessErrors';
export * from './chat';
export * from './errors';
export * from './limits';
export * from './messages';
export * from './seed';
export * from './files';
