// The worker's entry: registers tsx in this thread (Node 20 does not carry module hooks into workers), then loads worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
