// Entry of the training worker thread: registers tsx (the app runs as TypeScript source), then
// loads the thread's code.
import { register } from 'tsx/esm/api';

register();
await import('./train-thread.ts');
