import { poolVerb } from '../storage.js';

export default poolVerb('pool-destroy', 'destroy (stop) a pool', 'destroyed', (c, pool) => c.poolAction(pool, 'destroy'), 'Failed to destroy pool');
