// The plain-Node settings file: conf, the library electron-store is built on (same format, same file).
import Conf from 'conf';
import type { DocumentFileFactory } from './settings/settings-service';

export const createConfFile: DocumentFileFactory = (options) => new Conf<Record<string, unknown>>(options);
