import { networkVerb } from '../networks.js';

export default networkVerb('net-undefine', 'undefine a persistent network', 'has been undefined', (c, n) => c.undefineNetwork(n), 'Failed to undefine network');
