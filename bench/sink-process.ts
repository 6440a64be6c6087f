// The benchmark's SMTP sink, in its own process so it does not share an event loop with the sender.
import { startSink } from '../test/helpers/sink-server';

const sink = await startSink();
process.send?.({ port: sink.port });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'count') process.send?.({ total: sink.total(), unique: sink.received.size });
  if (msg.type === 'stop') void sink.close().then(() => process.exit(0));
});
