import { transferCommand } from '../volume-transfer.js';

export default transferCommand('download');
