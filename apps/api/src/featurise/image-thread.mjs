// Entry of a featurisation worker thread: registers tsx (the app runs as TypeScript source), then
// exports the thread's task function for piscina.
import { register } from 'tsx/esm/api';

register();
const thread = await import('./image-thread.ts');
export default thread.default;
