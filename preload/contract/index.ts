export * from './result';
export * from './mailbox';
export * from './settings';
export * from './channels';
export type * from './bridge';
export * from './smtp';
export * from './outbox';
export * from './oauth';
