import { networkVerb } from '../networks.js';

export default networkVerb('net-destroy', 'destroy (stop) a network', 'destroyed', (c, n) => c.networkAction(n, 'destroy'), 'Failed to destroy network');
