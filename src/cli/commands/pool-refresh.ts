import { poolVerb } from '../storage.js';

export default poolVerb('pool-refresh', 'refresh a pool', 'refreshed', (c, pool) => c.poolAction(pool, 'refresh'), 'Failed to refresh pool');
