// Exposes one frozen API to the sandboxed renderer; nothing of Node or Electron leaks through.
import { contextBridge } from 'electron';
import type { MailroomApi } from './contract';
import { invoke } from './ipc-renderer';

const api: MailroomApi = Object.freeze({ invoke });

contextBridge.exposeInMainWorld('mailroom', api);
