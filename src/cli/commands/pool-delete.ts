import { poolVerb } from '../storage.js';

export default poolVerb('pool-delete', 'delete a pool', 'deleted', (c, pool) => c.poolAction(pool, 'delete'), 'Failed to delete pool');
