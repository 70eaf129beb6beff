import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDomainXml } from '../xml/domain/index.js';
import { smtPolicyOf } from './metadata.js';

const dom = (meta: string) => parseDomainXml(`<domain type='kvm'><name>d</name><memory>1048576</memory><vcpu placement='auto'>2</vcpu>${meta}` +
  "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
const NS = 'https://virtkit.dev/xmlns/placement/1';

describe('the SMT policy in virtkit metadata', () => {
  it("reads smt from virtkit's placement element, with any prefix or as the default namespace", () => {
    assert.equal(smtPolicyOf(dom(`<metadata><virtkit:placement xmlns:virtkit='${NS}' smt='isolate'/></metadata>`)), 'isolate');
    assert.equal(smtPolicyOf(dom(`<metadata><p:placement xmlns:p='${NS}' smt='require'/></metadata>`)), 'require');
    assert.equal(smtPolicyOf(dom(`<metadata><placement xmlns='${NS}' smt='prefer'/></metadata>`)), 'prefer');
  });

  it('ignores other namespaces and a missing element; refuses an unknown policy', () => {
    assert.equal(smtPolicyOf(dom("<metadata><app:placement xmlns:app='urn:app' smt='isolate'/></metadata>")), undefined);
    assert.equal(smtPolicyOf(dom('')), undefined);
    assert.throws(() => smtPolicyOf(dom(`<metadata><virtkit:placement xmlns:virtkit='${NS}' smt='split'/></metadata>`)),
      { code: 'XML_INVALID_VALUE', message: /@smt: 'split' is not an SMT policy \(prefer, isolate, require\)/ });
  });
});
