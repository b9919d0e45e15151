import { databaseNameOf, databaseUrlFor, redact } from './database.admin';

describe('database URLs', () => {
  it('replaces only the database of a URL', () => {
    expect(databaseUrlFor('postgres://u:p@h:5433/postgres?sslmode=disable', 'runnel')).toBe(
      'postgres://u:p@h:5433/runnel?sslmode=disable',
    );
  });

  it('reads the database name, defaulting like libpq to the user name', () => {
    expect(databaseNameOf('postgres://postgres@127.0.0.1:5432/runnel')).toBe('runnel');
    expect(databaseNameOf('postgres://alice@127.0.0.1:5432')).toBe('alice');
  });

  it('hides passwords in messages', () => {
    expect(redact('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
