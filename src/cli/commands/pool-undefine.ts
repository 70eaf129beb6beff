import { poolVerb } from '../storage.js';

export default poolVerb('pool-undefine', 'undefine an inactive pool', 'has been undefined', (c, pool) => c.undefinePool(pool), 'Failed to undefine pool');
