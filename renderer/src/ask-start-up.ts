// Imported first by main.tsx, so that it runs before React, Fluent and the dialog are evaluated:
// the start-up question (hooks/start-up.ts) goes out at once, and its answer travels while the rest
// of the script loads.
import { askStartUp } from './hooks/start-up';

askStartUp();
