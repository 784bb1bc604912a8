import { describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { getPassengers } from '../../shared/passengers/index';
import { idNumber } from './ticketing-support';

describe('passengers', () => {
  it('adds a real-name passenger, masks and encrypts the number, refuses bad check digits and duplicates', async () => {
    const t = await tokenFor('pax-user-1');
    const id = idNumber(123);
    const r = await call('POST', '/v1/me/passengers', { token: t, body: { name: '张三丰', idType: 'id_card', idNumber: id } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ name: '张三丰', idType: 'id_card', idNumberMasked: `${id.slice(0, 4)}**********${id.slice(-4)}` });
    expect(r.body.id).toMatch(/^psg_/);
    expect(JSON.stringify(r.body)).not.toContain(id);

    const bad = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
    expectProblem(await call('POST', '/v1/me/passengers', { token: t, body: { name: '李四', idType: 'id_card', idNumber: bad } }), 400, 'invalid_id_number');
    expectProblem(await call('POST', '/v1/me/passengers', { token: t, body: { name: '李四', idType: 'passport', idNumber: '!!' } }), 400, 'validation_failed');
    expectProblem(await call('POST', '/v1/me/passengers', { token: t, body: { name: '张三丰', idType: 'id_card', idNumber: id.toLowerCase() } }), 409, 'duplicate_passenger');

    const p = await call('POST', '/v1/me/passengers', { token: t, body: { name: 'John Smith', idType: 'passport', idNumber: 'E12345678' } });
    expect(p.status).toBe(201);
    expect(p.body.idNumberMasked).toBe('E*****678');

    const list = await call('GET', '/v1/me/passengers', { token: t });
    expect(list.body.passengers.map((x: any) => x.name).sort()).toEqual(['John Smith', '张三丰']);

    // Another user may add the same person; the blind index identifies them across accounts.
    const t2 = await tokenFor('pax-user-2');
    const other = await call('POST', '/v1/me/passengers', { token: t2, body: { name: '张三丰', idType: 'id_card', idNumber: id } });
    expect(other.status).toBe(201);
    const [a] = await getPassengers(db(), 'pax-user-1', [r.body.id]);
    const [b] = await getPassengers(db(), 'pax-user-2', [other.body.id]);
    expect(a.idHash).toBe(b.idHash);
    expect(a.birthDate).toBe('1990-03-07');
    await expect(getPassengers(db(), 'pax-user-2', [r.body.id])).rejects.toMatchObject({ code: 'passenger_not_found' });

    // Nothing in the table holds the plaintext numbers.
    const dump = JSON.stringify((await db().doc.send(new ScanCommand({ TableName: db().tableName }))).Items);
    expect(dump).not.toContain(id);
    expect(dump).not.toContain('E12345678');

    // Delete: only your own.
    expectProblem(await call('DELETE', `/v1/me/passengers/${r.body.id}`, { token: t2 }), 404, 'passenger_not_found');
    expect((await call('DELETE', `/v1/me/passengers/${r.body.id}`, { token: t })).status).toBe(204);
    expect((await call('GET', '/v1/me/passengers', { token: t })).body.passengers).toHaveLength(1);
    // Deleting frees the number for this account again.
    expect((await call('POST', '/v1/me/passengers', { token: t, body: { name: '张三丰', idType: 'id_card', idNumber: id } })).status).toBe(201);
    expect((await call('GET', '/v1/me/passengers')).status).toBe(401);
  });
});
