import { taskManagerNatsEnv } from './taskmanager-nats.env';

describe('taskManagerNatsEnv', () => {
  it('is empty without TM_NATS_* (TaskManagers inherit the ResourceManager\'s NATS_*)', () => {
    expect(taskManagerNatsEnv({ NATS_USER: 'services', NATS_PASSWORD: 'p' })).toEqual({});
  });

  it('turns TM_NATS_* into the TaskManager\'s NATS_*, removing the rest', () => {
    const env = taskManagerNatsEnv({ NATS_USER: 'services', NATS_PASSWORD: 'p', TM_NATS_USER: 'taskmanagers', TM_NATS_PASSWORD: 'q' });
    expect(env).toMatchObject({ NATS_USER: 'taskmanagers', NATS_PASSWORD: 'q', NATS_TOKEN: undefined, TM_NATS_USER: undefined, TM_NATS_PASSWORD: undefined });
  });
});
