/* hub-db-pg.c — the PostgreSQL engine of hub-db.h (libpq)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Statements are prepared once per connection under generated names. Parameters go as
 * text (blobs as binary), results come back as text and whole: hub_db_step() runs the
 * statement on its first call and then walks the rows of the one PGresult. Callers bound
 * their results with LIMIT. Every statement is limited to 30 s (statement_timeout), which
 * also bounds how long a write transaction can stay in flight.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>
#include <libpq-fe.h>

#include "hub-db-private.h"

#define BYTEA_OID 17
#define BOOL_OID  16

typedef struct
{
  HubDb   parent;
  PGconn *conn;
  guint   next_name;
} PgDb;

typedef struct
{
  char *value;        /* NULL for SQL NULL; points at buf for integers */
  int   length;
  int   format;       /* 0 text, 1 binary */
  gboolean owned;     /* value was allocated */
  char  buf[24];
} PgParam;

typedef struct
{
  HubDbStmt  parent;
  char       name[24];
  int        n_params;
  PgParam   *params;
  /* what PQexecPrepared wants, kept beside params */
  const char **values;
  int         *lengths;
  int         *formats;

  PGresult  *result;
  int        row;      /* the current row; -1 before the first */
  int        n_rows;
  gboolean   executed;
  /* decoded bytea of the current row, by column; freed with PQfreemem */
  GPtrArray *blobs;
} PgStmt;

static void
set_result_error (PGconn          *conn,
                  const PGresult  *res,
                  GError         **error)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *message = res != NULL ? PQresultErrorMessage (res) : NULL;
  g_autofree char *text = NULL;
  int code = HUB_DB_ERROR_FAILED;

  if (message == NULL || *message == '\0')
    message = PQerrorMessage (conn);
  text = g_strstrip (g_strdup (message));

  if (state != NULL)
    {
      if (strcmp (state, "23505") == 0)
        code = HUB_DB_ERROR_UNIQUE;
      else if (strcmp (state, "40001") == 0 || strcmp (state, "40P01") == 0
               || strcmp (state, "55P03") == 0)
        code = HUB_DB_ERROR_BUSY;
      else if (g_str_has_prefix (state, "08"))
        code = HUB_DB_ERROR_CONNECT;
    }
  else if (PQstatus (conn) == CONNECTION_BAD)
    code = HUB_DB_ERROR_CONNECT;

  g_set_error (error, HUB_DB_ERROR, code, "PostgreSQL: %s", text);
}

static gboolean
result_ok (PGconn    *conn,
           PGresult  *res,
           GError   **error)
{
  ExecStatusType status = PQresultStatus (res);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
    return TRUE;
  set_result_error (conn, res, error);
  return FALSE;
}

static void
pg_close (HubDb *hdb)
{
  PgDb *self = (PgDb *) hdb;

  PQfinish (self->conn);
  g_free (self);
}

static HubDbStmt *
pg_prepare (HubDb       *hdb,
            const char  *sql,
            GError     **error)
{
  PgDb *self = (PgDb *) hdb;
  PGresult *res;
  PgStmt *s;
  char name[24];

  g_snprintf (name, sizeof name, "hub_%u", self->next_name++);
  res = PQprepare (self->conn, name, sql, 0, NULL);
  if (!result_ok (self->conn, res, error))
    {
      g_prefix_error (error, "Cannot prepare “%s”: ", sql);
      PQclear (res);
      return NULL;
    }
  PQclear (res);

  s = g_new0 (PgStmt, 1);
  memcpy (s->name, name, sizeof name);
  s->n_params = _hub_db_count_params (sql);
  s->params = g_new0 (PgParam, MAX (s->n_params, 1));
  s->values = g_new0 (const char *, MAX (s->n_params, 1));
  s->lengths = g_new0 (int, MAX (s->n_params, 1));
  s->formats = g_new0 (int, MAX (s->n_params, 1));
  s->row = -1;
  return &s->parent;
}

static void
param_clear (PgParam *p)
{
  if (p->owned)
    g_free (p->value);
  p->value = NULL;
  p->owned = FALSE;
  p->length = 0;
  p->format = 0;
}

static void
drop_blobs (PgStmt *s)
{
  if (s->blobs == NULL)
    return;
  for (guint i = 0; i < s->blobs->len; i++)
    {
      gpointer data = g_ptr_array_index (s->blobs, i);

      if (data != NULL)
        PQfreemem (data);
      g_ptr_array_index (s->blobs, i) = NULL;
    }
}

static void
pg_reset (HubDbStmt *hstmt,
          gboolean   clear_bindings)
{
  PgStmt *s = (PgStmt *) hstmt;

  drop_blobs (s);
  g_clear_pointer (&s->result, PQclear);
  s->row = -1;
  s->n_rows = 0;
  s->executed = FALSE;
  if (clear_bindings)
    for (int i = 0; i < s->n_params; i++)
      param_clear (&s->params[i]);
}

static void
pg_finalize (HubDbStmt *hstmt)
{
  PgStmt *s = (PgStmt *) hstmt;

  /* The server forgets the prepared statement with the connection. */
  pg_reset (hstmt, TRUE);
  g_clear_pointer (&s->blobs, g_ptr_array_unref);
  g_free (s->params);
  g_free (s->values);
  g_free (s->lengths);
  g_free (s->formats);
  g_free (s);
}

static gboolean
pg_exec (HubDb       *hdb,
         const char  *sql,
         GError     **error)
{
  PgDb *self = (PgDb *) hdb;
  PGresult *res;
  gboolean ok;

  res = PQexec (self->conn, sql);
  ok = result_ok (self->conn, res, error);
  PQclear (res);
  return ok;
}

static gboolean
pg_in_transaction (HubDb *hdb)
{
  PgDb *self = (PgDb *) hdb;
  PGTransactionStatusType status = PQtransactionStatus (self->conn);

  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

static gboolean
pg_txn_aborted (HubDb *hdb)
{
  PgDb *self = (PgDb *) hdb;

  return PQtransactionStatus (self->conn) == PQTRANS_INERROR;
}

static gboolean
pg_is_broken (HubDb *hdb)
{
  PgDb *self = (PgDb *) hdb;

  return PQstatus (self->conn) == CONNECTION_BAD;
}

static void
pg_set_lock_timeout (HubDb *hdb,
                     int    ms)
{
  char sql[64];

  g_snprintf (sql, sizeof sql, "SET lock_timeout = %d", ms);
  pg_exec (hdb, sql, NULL);
}

static PgParam *
get_param (HubDbStmt *hstmt,
           int        index)
{
  PgStmt *s = (PgStmt *) hstmt;
  PgParam *p;

  g_return_val_if_fail (index <= s->n_params, NULL);
  p = &s->params[index - 1];
  param_clear (p);
  return p;
}

static void
pg_bind_text (HubDbStmt  *hstmt,
              int         index,
              const char *value)
{
  PgParam *p = get_param (hstmt, index);

  if (p == NULL)
    return;
  p->value = g_strdup (value);
  p->owned = TRUE;
}

static void
pg_bind_int64 (HubDbStmt *hstmt,
               int        index,
               gint64     value)
{
  PgParam *p = get_param (hstmt, index);

  if (p == NULL)
    return;
  g_snprintf (p->buf, sizeof p->buf, "%" G_GINT64_FORMAT, value);
  p->value = p->buf;
}

static void
pg_bind_blob (HubDbStmt  *hstmt,
              int         index,
              const void *data,
              gsize       size)
{
  PgParam *p = get_param (hstmt, index);

  if (p == NULL)
    return;
  g_return_if_fail (size <= G_MAXINT);
  /* never NULL: NULL would mean SQL NULL */
  p->value = g_malloc (MAX (size, 1));
  if (size > 0)
    memcpy (p->value, data, size);
  p->owned = TRUE;
  p->length = (int) size;
  p->format = 1;
}

static void
pg_bind_null (HubDbStmt *hstmt,
              int        index)
{
  get_param (hstmt, index);
}

static gboolean
execute (PgStmt  *s,
         GError **error)
{
  PgDb *db = (PgDb *) s->parent.db;
  PGresult *res;

  for (int i = 0; i < s->n_params; i++)
    {
      s->values[i] = s->params[i].value;
      s->lengths[i] = s->params[i].length;
      s->formats[i] = s->params[i].format;
    }
  res = PQexecPrepared (db->conn, s->name, s->n_params, s->values, s->lengths, s->formats,
                        0);
  s->executed = TRUE;
  if (!result_ok (db->conn, res, error))
    {
      PQclear (res);
      return FALSE;
    }
  s->result = res;
  s->row = -1;
  s->n_rows = PQntuples (res);
  return TRUE;
}

static int
pg_step (HubDbStmt  *hstmt,
         GError    **error)
{
  PgStmt *s = (PgStmt *) hstmt;

  if (!s->executed && !execute (s, error))
    return -1;
  drop_blobs (s);
  if (s->row < s->n_rows)
    s->row++;
  return s->row < s->n_rows ? 1 : 0;
}

static gint64
pg_run (HubDbStmt  *hstmt,
        GError    **error)
{
  PgStmt *s = (PgStmt *) hstmt;
  gint64 changes;

  if (!execute (s, error))
    {
      pg_reset (hstmt, FALSE);
      return -1;
    }
  changes = g_ascii_strtoll (PQcmdTuples (s->result), NULL, 10);
  pg_reset (hstmt, FALSE);
  return changes;
}

static gboolean
pg_column_is_null (HubDbStmt *hstmt,
                   int        column)
{
  PgStmt *s = (PgStmt *) hstmt;

  g_return_val_if_fail (column >= 0 && column < PQnfields (s->result), TRUE);
  return PQgetisnull (s->result, s->row, column);
}

static const char *
pg_column_text (HubDbStmt *hstmt,
                int        column)
{
  PgStmt *s = (PgStmt *) hstmt;

  g_return_val_if_fail (column >= 0 && column < PQnfields (s->result), NULL);
  if (PQgetisnull (s->result, s->row, column))
    return NULL;
  return PQgetvalue (s->result, s->row, column);
}

static gint64
pg_column_int64 (HubDbStmt *hstmt,
                 int        column)
{
  PgStmt *s = (PgStmt *) hstmt;
  const char *value;

  g_return_val_if_fail (column >= 0 && column < PQnfields (s->result), 0);
  if (PQgetisnull (s->result, s->row, column))
    return 0;
  value = PQgetvalue (s->result, s->row, column);
  /* EXISTS (…) and comparisons are booleans in PostgreSQL, 0/1 in SQLite */
  if (PQftype (s->result, column) == BOOL_OID)
    return value[0] == 't' ? 1 : 0;
  return g_ascii_strtoll (value, NULL, 10);
}

static const void *
pg_column_blob (HubDbStmt *hstmt,
                int        column,
                gsize     *size)
{
  PgStmt *s = (PgStmt *) hstmt;
  unsigned char *data;
  size_t length = 0;

  g_return_val_if_fail (column >= 0 && column < PQnfields (s->result), NULL);
  if (PQgetisnull (s->result, s->row, column))
    return NULL;
  if (PQftype (s->result, column) != BYTEA_OID)
    {
      *size = PQgetlength (s->result, s->row, column);
      return PQgetvalue (s->result, s->row, column);
    }

  if (s->blobs == NULL)
    s->blobs = g_ptr_array_new ();
  if (s->blobs->len < (guint) PQnfields (s->result))
    g_ptr_array_set_size (s->blobs, PQnfields (s->result));
  data = g_ptr_array_index (s->blobs, column);
  if (data != NULL)
    PQfreemem (data);
  data = PQunescapeBytea ((const unsigned char *) PQgetvalue (s->result, s->row, column),
                          &length);
  g_ptr_array_index (s->blobs, column) = data;
  if (data == NULL)
    return NULL;
  *size = length;
  return data;
}

static const HubDbClass pg_class = {
  .engine = HUB_DB_POSTGRESQL,
  .begin_sql = "BEGIN",
  .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  .close = pg_close,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .exec = pg_exec,
  .in_transaction = pg_in_transaction,
  .txn_aborted = pg_txn_aborted,
  .is_broken = pg_is_broken,
  .set_lock_timeout = pg_set_lock_timeout,
  .bind_text = pg_bind_text,
  .bind_int64 = pg_bind_int64,
  .bind_blob = pg_bind_blob,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .run = pg_run,
  .column_is_null = pg_column_is_null,
  .column_text = pg_column_text,
  .column_int64 = pg_column_int64,
  .column_blob = pg_column_blob,
  .reset = pg_reset,
};

static void
notice_cb (void       *data,
           const char *message)
{
  /* "relation already exists, skipping" and the like: not for stderr */
  g_autofree char *text = g_strstrip (g_strdup (message));

  g_debug ("PostgreSQL: %s", text);
}

HubDb *
_hub_db_pg_open (const char  *url,
                 GError     **error)
{
  PGconn *conn;
  PgDb *self;
  PGresult *res;

  conn = PQconnectdb (url);
  if (conn == NULL)
    {
      g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT,
                           "Cannot connect to PostgreSQL: out of memory");
      return NULL;
    }
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT,
                   "Cannot connect to PostgreSQL: %s", message);
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, notice_cb, NULL);

  res = PQexec (conn, "SET statement_timeout = '30s'; SET client_encoding = 'UTF8'");
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      set_result_error (conn, res, error);
      g_prefix_error (error, "Cannot set up the PostgreSQL connection: ");
      if (error != NULL && g_error_matches (*error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED))
        (*error)->code = HUB_DB_ERROR_CONNECT;
      PQclear (res);
      PQfinish (conn);
      return NULL;
    }
  PQclear (res);

  self = g_new0 (PgDb, 1);
  self->conn = conn;
  _hub_db_init (&self->parent, &pg_class);
  return &self->parent;
}
