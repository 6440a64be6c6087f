// Exposes one frozen API to the sandboxed renderer; nothing of Node or Electron leaks through.
import { contextBridge } from 'electron';
import type { MailroomApi } from './contract';
import { invoke, onEvent } from './ipc-renderer';

const api: MailroomApi = Object.freeze({ invoke, onEvent });

contextBridge.exposeInMainWorld('mailroom', api);
