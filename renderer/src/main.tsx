import './ask-start-up';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startUpAnswered } from './hooks/start-up';

/**
 * How long the first render waits for the start-up answer. It has usually come by the time the
 * script has run; if so, the dialog is drawn once, with the settings in it, instead of a spinner
 * first. A slow answer is not waited for: the dialog shows its spinner meanwhile.
 */
const START_UP_WAIT_MS = 300;

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element');

void startUpAnswered(START_UP_WAIT_MS).then(() =>
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
