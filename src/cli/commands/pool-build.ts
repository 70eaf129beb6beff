import { poolVerb } from '../storage.js';

export default poolVerb('pool-build', 'build a pool', 'built', (c, pool) => c.poolAction(pool, 'build'), 'Failed to build pool');
