// The schemas the dialog checks values with: zod and every rule built with it. A script of its own,
// loaded just after the first paint (load-validators.ts): the dialog shows the saved settings
// without it, and whatever needs a verdict (Save) waits for it. The rules stay in the contract;
// this only names the ones the dialog uses.
export { Settings, folderPath } from '../../preload/contract/settings';
export { SystemUser } from '../../preload/contract/mail-options';
export { events } from '../../preload/contract/events';
export { fieldErrors } from '../../preload/contract/result';
