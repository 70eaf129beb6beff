// libvirt 10.0's <driver><iothreads> under a disk: parsed, formatted,
// round-tripped, and validated the way libvirt validates it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDomainXml, domainProblems, formatDomainXml, parseDomainXml } from './index.js';

const xml = (driver: string, extra = '<iothreads>3</iothreads>', bus = 'virtio'): string =>
  `<domain type='qemu'><name>t</name><memory>65536</memory>${extra}<os><type arch='x86_64'>hvm</type></os>
  <devices><disk type='file' device='disk'>${driver}<source file='/i.img'/><target dev='vda' bus='${bus}'/></disk></devices></domain>`;

const MAPPED = `<driver name='qemu' type='raw' queues='3'><iothreads><iothread id='2'><queue id='1'/></iothread>
  <iothread id='3'><queue id='0'/><queue id='2'/></iothread></iothreads></driver>`;

test('<driver><iothreads> parses, formats as libvirt writes it, and round-trips', () => {
  const def = parseDomainXml(xml(MAPPED));
  assert.deepEqual(def.devices?.disk?.[0]?.driver?.iothreads, { iothread: [{ id: 2, queue: [{ id: 1 }] }, { id: 3, queue: [{ id: 0 }, { id: 2 }] }] });
  const text = formatDomainXml(def);
  assert.match(text, /<driver name='qemu' type='raw' queues='3'>\n\s+<iothreads>\n\s+<iothread id='2'>\n\s+<queue id='1'\/>\n\s+<\/iothread>\n\s+<iothread id='3'>/);
  assert.deepEqual(parseDomainXml(text), def);
  assert.deepEqual(checkDomainXml(xml(MAPPED)), []);
  assert.deepEqual(checkDomainXml(xml("<driver name='qemu'><iothreads><iothread id='1'/><iothread id='2'/></iothreads></driver>")), []);
});

test('<driver><iothreads> is validated as libvirt does', () => {
  const problems = (x: string): string[] => domainProblems(parseDomainXml(x)).map((p) => `${p.code} ${p.message}`);
  const D = '/domain/devices/disk/driver';
  assert.deepEqual(problems(xml(MAPPED, '<iothreads>2</iothreads>')), [
    `XML_CONFLICT ${D}/iothreads/iothread[2]/@id: IOThread 3 is not defined in the domain's <iothreads>/<iothreadids>`,
  ]);
  assert.deepEqual(problems(xml(MAPPED, '<iothreadids><iothread id="2"/><iothread id="3"/></iothreadids>')), []);
  assert.deepEqual(problems(xml(MAPPED, undefined, 'sata')), [`XML_CONFLICT ${D}: IOThreads are only for disks on bus 'virtio', not 'sata'`]);
  assert.deepEqual(problems(xml("<driver name='qemu' iothread='1'><iothreads><iothread id='1'/><iothread id='1'/></iothreads></driver>")), [
    `XML_CONFLICT ${D}/iothreads: <iothreads> and the iothread='N' attribute exclude each other: use one`,
    `XML_DUPLICATE ${D}/iothreads/iothread[2]/@id: IOThread 1 is listed more than once`,
  ]);
  assert.deepEqual(problems(xml("<driver name='qemu'><iothreads><iothread id='1'><queue id='0'/></iothread><iothread id='2'/></iothreads></driver>")), [
    `XML_CONFLICT ${D}/iothreads: map virtqueues for every <iothread> or for none (none: QEMU spreads the queues over them)`,
    `XML_MISSING ${D}/@queues: mapping IOThreads to virtqueues needs <driver queues='N'>`,
  ]);
  assert.deepEqual(problems(xml("<driver name='qemu' queues='2'><iothreads><iothread id='1'><queue id='0'/><queue id='2'/></iothread><iothread id='2'><queue id='0'/></iothread></iothreads></driver>")), [
    `XML_INVALID_VALUE ${D}/iothreads/iothread[1]/queue[2]/@id: queue 2 does not exist: the disk has 2 queues, numbered from 0`,
    `XML_DUPLICATE ${D}/iothreads/iothread[2]/queue[1]/@id: queue 0 is already mapped to IOThread 1`,
    `XML_MISSING ${D}/iothreads: queue 1 is mapped to no IOThread`,
  ]);
  assert.deepEqual(problems(xml("<driver name='qemu' iothread='4'/>")), [
    `XML_CONFLICT ${D}/@iothread: IOThread 4 is not defined in the domain's <iothreads>/<iothreadids>`,
  ]);
});
