/* hub-store-statements.c — the statement store: schema, writer thread, queries
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes go through one writer thread per process. A request's worker parses and validates
 * its statements into a HubStatementBatch (serialised, indexed, activity definitions
 * serialised too) and hands it over; the writer takes every batch queued, opens one
 * transaction, writes each batch, commits once and calls each request's continuation, which
 * sends its answer. The writer never waits for more requests: those that arrive while it
 * commits make the next transaction, so the slower the disk, the more requests share each
 * fsync, and no thread waits for one. A
 * batch refused with 403 or 409 leaves nothing behind: on SQLite every reason to refuse it
 * is checked before its first write (so no savepoints, which would make SQLite journal
 * every page they touch); on PostgreSQL each batch has its own savepoint.
 *
 * `stored` is stamped inside the write transaction, strictly increasing within the process.
 * While a transaction is open, the writer publishes its first stamp: every statement stored
 * before it is committed, which is what X-Experience-API-Consistent-Through promises. On
 * PostgreSQL other processes may hold transactions open too, so the time is held back by a
 * fixed margin.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "hub-store-access.h"
#include "hub-store-documents.h"
#include "hub-store-statements.h"

typedef json_object StmtJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StmtJson, json_object_put)

#define VERB_VOIDED "http://adlnet.gov/expapi/verbs/voided"
#define JSON_TEXT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define PG_CONSISTENCY_MARGIN_US (10 * G_USEC_PER_SEC)
#define WRITE_ATTEMPTS 4
/* At most this many statements per transaction (beyond the first batch): the first
 * requests' answers go out while the later ones are written. */
#define GROUP_MAX_ROWS 1000
/* PostgreSQL: the fewest new statements worth an ANALYZE (see maintenance_thread()) */
#define ANALYZE_MIN_ROWS 1000
/* SQLite: links waiting in statement_links_recent that make a merge worth its commit (about
 * 10,000 statements; SHUYUAN_HUB_LINK_MERGE_ROWS overrides, tests set 1), and how long the
 * writer waits without work before merging however few wait */
#define MERGE_LINKS_DEFAULT 20000
#define MERGE_IDLE_US (1 * G_USEC_PER_SEC)
/* SQLite: how long the WAL may grow before the writer starts it over (see
 * maintenance_thread(); SHUYUAN_HUB_WAL_LIMIT_BYTES overrides, for tests). Below the
 * journal_size_limit of hub-db-sqlite.c, so the WAL file keeps its blocks from one round to
 * the next. */
#define WAL_LIMIT_DEFAULT (32 * 1024 * 1024)
#define PAGE_FRAME_BYTES (4096 + 24)   /* a WAL frame: SQLite's default page and its header */

const char hub_schema_statements_v1[] =
  "CREATE TABLE statements (\n"
  "  seq @SERIAL@,\n"
  "  id TEXT NOT NULL UNIQUE,\n"
  "  stored_us @INT64@ NOT NULL,\n"
  "  org_id @INT64@ NOT NULL DEFAULT 0,\n"
  "  voided INTEGER NOT NULL DEFAULT 0,\n"
  "  is_voiding INTEGER NOT NULL DEFAULT 0,\n"
  "  verb_id TEXT NOT NULL,\n"
  "  object_type TEXT NOT NULL,\n"
  "  object_id TEXT,\n"
  "  ref_id TEXT,\n"
  "  registration TEXT,\n"
  "  actor_key TEXT,\n"
  "  learner TEXT,\n"
  "  timestamp TEXT,\n"
  "  json TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX statements_stored ON statements (stored_us, seq);\n"
  "CREATE INDEX statements_org_stored ON statements (org_id, stored_us, seq);\n"
  "CREATE INDEX statements_verb ON statements (verb_id, stored_us);\n"
  /* partial: most statements have neither, and an index entry per statement costs the
   * writer a B-tree insert each (x = $n and x IN (…) use them on both engines) */
  "CREATE INDEX statements_registration ON statements (registration, stored_us)\n"
  "  WHERE registration IS NOT NULL;\n"
  "CREATE INDEX statements_ref ON statements (ref_id) WHERE ref_id IS NOT NULL;\n"
  /* the links are only ever looked up by key: the key is the table (one B-tree per row
   * on SQLite instead of a table and an index) */
  "CREATE TABLE statement_agents (\n"
  "  agent_key TEXT NOT NULL,\n"
  "  seq @INT64@ NOT NULL,\n"
  "  relation INTEGER NOT NULL,\n"
  "  PRIMARY KEY (agent_key, seq, relation)\n"
  ")@WITHOUT_ROWID@;\n"
  "CREATE TABLE statement_activities (\n"
  "  activity_id TEXT NOT NULL,\n"
  "  seq @INT64@ NOT NULL,\n"
  "  relation INTEGER NOT NULL,\n"
  "  PRIMARY KEY (activity_id, seq, relation)\n"
  ")@WITHOUT_ROWID@;\n"
  "CREATE TABLE activities (\n"
  "  activity_id TEXT PRIMARY KEY,\n"
  "  definition TEXT,\n"
  "  updated_us @INT64@ NOT NULL\n"
  ");\n"
  "CREATE TABLE attachments (\n"
  "  sha2 TEXT PRIMARY KEY,\n"
  "  content_type TEXT NOT NULL,\n"
  "  length @INT64@ NOT NULL,\n"
  "  body @BLOB@ NOT NULL\n"
  ");\n";

/* Version 2: new links first land here, in the order they are written (a rowid table:
 * appended at its end), and are moved into statement_agents / statement_activities, sorted
 * by key, many at a time (merge_recent_links()). Written straight into the keyed tables, a
 * commit of a thousand statements touched a page per learner and per activity of the commit
 * — scattered over those tables, 60 % of the bytes the hub wrote. Queries read both.
 * SQLite only: on PostgreSQL the writer keeps writing the keyed tables (this one stays
 * empty), since several hub processes share its database. kind: 0 agent, 1 activity. */
const char hub_schema_statements_v2[] =
  "CREATE TABLE statement_links_recent (\n"
  "  seq @INT64@ NOT NULL,\n"
  "  kind INTEGER NOT NULL,\n"
  "  link_key TEXT NOT NULL,\n"
  "  relation INTEGER NOT NULL\n"
  ");\n";

/* ---- rows and batches ---- */

static void
link_clear (gpointer data)
{
  HubStatementLink *link = data;

  g_free (link->key);
}

static void
activity_definition_free (gpointer data)
{
  HubActivityDefinition *def = data;

  g_free (def->activity_id);
  if (def->definition != NULL)
    json_object_put (def->definition);
  g_free (def->text);
  g_free (def);
}

HubStatementRow *
hub_statement_row_new (void)
{
  HubStatementRow *row = g_new0 (HubStatementRow, 1);

  row->agents = g_array_new (FALSE, FALSE, sizeof (HubStatementLink));
  g_array_set_clear_func (row->agents, link_clear);
  row->activities = g_array_new (FALSE, FALSE, sizeof (HubStatementLink));
  g_array_set_clear_func (row->activities, link_clear);
  row->definitions = g_ptr_array_new_with_free_func (activity_definition_free);
  return row;
}

void
hub_statement_row_free (HubStatementRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->text);
  g_free (row->learner);
  g_free (row->actor_key);
  g_free (row->verb_id);
  g_free (row->object_type);
  g_free (row->object_id);
  g_free (row->ref_id);
  g_free (row->registration);
  g_free (row->timestamp);
  g_array_unref (row->agents);
  g_array_unref (row->activities);
  g_ptr_array_unref (row->definitions);
  g_free (row);
}

void
hub_attachment_part_free (HubAttachmentPart *part)
{
  if (part == NULL)
    return;
  g_free (part->sha2);
  g_free (part->content_type);
  g_clear_pointer (&part->body, g_bytes_unref);
  g_free (part);
}

HubStatementBatch *
hub_statement_batch_new (void)
{
  HubStatementBatch *batch = g_new0 (HubStatementBatch, 1);

  batch->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_statement_row_free);
  batch->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_attachment_part_free);
  return batch;
}

void
hub_statement_batch_free (HubStatementBatch *batch)
{
  if (batch == NULL)
    return;
  g_ptr_array_unref (batch->rows);
  g_ptr_array_unref (batch->attachments);
  if (batch->tree != NULL)
    json_object_put (batch->tree);
  g_free (batch->message);
  g_free (batch);
}

/* ---- indexing ---- */

static const char *
get_string (json_object *obj,
            const char  *key)
{
  json_object *value;

  if (obj == NULL || !json_object_is_type (obj, json_type_object))
    return NULL;
  if (!json_object_object_get_ex (obj, key, &value) || !json_object_is_type (value, json_type_string))
    return NULL;
  return json_object_get_string (value);
}

static json_object *
get_object (json_object *obj,
            const char  *key)
{
  json_object *value;

  if (obj == NULL || !json_object_is_type (obj, json_type_object))
    return NULL;
  if (!json_object_object_get_ex (obj, key, &value) || !json_object_is_type (value, json_type_object))
    return NULL;
  return value;
}

static void
add_link (GArray     *links,
          const char *key,
          int         relation)
{
  HubStatementLink link;
  guint i;

  if (key == NULL)
    return;
  for (i = 0; i < links->len; i++)
    {
      HubStatementLink *old = &g_array_index (links, HubStatementLink, i);
      if (old->relation == relation && strcmp (old->key, key) == 0)
        return;
    }
  link.key = g_strdup (key);
  link.relation = relation;
  g_array_append_val (links, link);
}

/* An agent or group: its own key, and its members' keys with the same relation. */
static char *
index_agent (HubStatementRow *row,
             json_object     *agent,
             int              relation)
{
  char *key;
  json_object *members;

  if (agent == NULL || !json_object_is_type (agent, json_type_object))
    return NULL;
  key = hub_agent_key (agent);
  add_link (row->agents, key, relation);
  if (json_object_object_get_ex (agent, "member", &members)
      && json_object_is_type (members, json_type_array))
    {
      size_t i, n = json_object_array_length (members);

      for (i = 0; i < n; i++)
        {
          g_autofree char *member = hub_agent_key (json_object_array_get_idx (members, i));
          /* a Group whose member matches is a match for the `agent` filter too */
          add_link (row->agents, member, relation);
        }
    }
  return key;
}

static void
index_activity (HubStatementRow *row,
                json_object     *activity,
                int              relation)
{
  const char *id = get_string (activity, "id");
  json_object *definition;

  if (id == NULL)
    return;
  add_link (row->activities, id, relation);
  definition = get_object (activity, "definition");
  for (guint i = 0; i < row->definitions->len; i++)
    {
      HubActivityDefinition *def = g_ptr_array_index (row->definitions, i);

      if (strcmp (def->activity_id, id) == 0)
        {
          /* the last definition of the statement counts */
          if (definition != NULL)
            {
              if (def->definition != NULL)
                json_object_put (def->definition);
              def->definition = json_object_get (definition);
            }
          return;
        }
    }
  {
    HubActivityDefinition *def = g_new0 (HubActivityDefinition, 1);

    def->activity_id = g_strdup (id);
    def->definition = definition != NULL ? json_object_get (definition) : NULL;
    g_ptr_array_add (row->definitions, def);
  }
}

static void
index_context (HubStatementRow *row,
               json_object     *context)
{
  json_object *activities;

  if (context == NULL)
    return;
  g_free (index_agent (row, get_object (context, "instructor"), HUB_REL_OTHER));
  g_free (index_agent (row, get_object (context, "team"), HUB_REL_OTHER));
  activities = get_object (context, "contextActivities");
  if (activities != NULL)
    {
      json_object_object_foreach (activities, kind, value)
        {
          (void) kind;
          if (json_object_is_type (value, json_type_array))
            {
              size_t i, n = json_object_array_length (value);
              for (i = 0; i < n; i++)
                index_activity (row, json_object_array_get_idx (value, i), HUB_REL_OTHER);
            }
          else
            index_activity (row, value, HUB_REL_OTHER);
        }
    }
}

static const char *
object_type_of (json_object *object)
{
  const char *type = get_string (object, "objectType");

  return type != NULL ? type : "Activity";
}

void
hub_statement_row_index (HubStatementRow *row,
                         json_object     *statement)
{
  json_object *actor = get_object (statement, "actor");
  json_object *object = get_object (statement, "object");
  json_object *verb = get_object (statement, "verb");
  json_object *account;
  const char *type, *value;

  row->actor_key = index_agent (row, actor, HUB_REL_ACTOR);
  account = get_object (actor, "account");
  if (account != NULL && g_strcmp0 (get_string (actor, "objectType"), "Group") != 0)
    row->learner = g_strdup (get_string (account, "name"));
  row->verb_id = g_strdup (get_string (verb, "id"));
  if (row->verb_id == NULL)
    row->verb_id = g_strdup ("");

  type = object_type_of (object);
  row->object_type = g_strdup (type);
  if (g_str_equal (type, "Activity"))
    {
      row->object_id = g_strdup (get_string (object, "id"));
      index_activity (row, object, HUB_REL_ACTIVITY_OBJECT);
    }
  else if (g_str_equal (type, "Agent") || g_str_equal (type, "Group"))
    {
      row->object_id = index_agent (row, object, HUB_REL_OBJECT);
    }
  else if (g_str_equal (type, "StatementRef"))
    {
      value = get_string (object, "id");
      if (value != NULL)
        {
          row->ref_id = g_ascii_strdown (value, -1);
          row->object_id = g_strdup (row->ref_id);
        }
    }
  else if (g_str_equal (type, "SubStatement"))
    {
      json_object *sub_object = get_object (object, "object");
      const char *sub_type = object_type_of (sub_object);

      g_free (index_agent (row, get_object (object, "actor"), HUB_REL_OTHER));
      if (g_str_equal (sub_type, "Activity"))
        index_activity (row, sub_object, HUB_REL_OTHER);
      else if (g_str_equal (sub_type, "Agent") || g_str_equal (sub_type, "Group"))
        g_free (index_agent (row, sub_object, HUB_REL_OTHER));
      index_context (row, get_object (object, "context"));
    }

  index_context (row, get_object (statement, "context"));
  row->registration = g_strdup (get_string (get_object (statement, "context"), "registration"));
  if (row->registration != NULL)
    {
      char *lower = g_ascii_strdown (row->registration, -1);
      g_free (row->registration);
      row->registration = lower;
    }
  g_free (index_agent (row, get_object (statement, "authority"), HUB_REL_OTHER));
  row->timestamp = g_strdup (get_string (statement, "timestamp"));
  row->is_voiding = g_strcmp0 (row->verb_id, VERB_VOIDED) == 0 && row->ref_id != NULL;
  /* serialised here, on the request's worker, so the writer only compares texts */
  for (guint i = 0; i < row->definitions->len; i++)
    {
      HubActivityDefinition *def = g_ptr_array_index (row->definitions, i);

      if (def->definition != NULL && def->text == NULL)
        def->text = g_strdup (json_object_to_json_string_ext (def->definition, JSON_TEXT_FLAGS));
    }
}

static gboolean
ignored_member (const char *key,
                gboolean    without_timestamp)
{
  return strcmp (key, "stored") == 0 || strcmp (key, "authority") == 0 || strcmp (key, "version") == 0
         || strcmp (key, "id") == 0 || (without_timestamp && strcmp (key, "timestamp") == 0);
}

/* @a's members, but the ignored ones, are in @b with equal values; their number. */
static gboolean
members_in (json_object *a,
            json_object *b,
            gboolean     without_timestamp,
            guint       *count)
{
  *count = 0;
  json_object_object_foreach (a, key, value)
    {
      json_object *other;

      if (ignored_member (key, without_timestamp))
        continue;
      (*count)++;
      if (!json_object_object_get_ex (b, key, &other) || !json_object_equal (value, other))
        return FALSE;
    }
  return TRUE;
}

gboolean
hub_statements_equal (json_object *a,
                      json_object *b)
{
  gboolean without_timestamp;
  guint count_a, count_b = 0;

  if (!json_object_is_type (a, json_type_object) || !json_object_is_type (b, json_type_object))
    return json_object_equal (a, b) != 0;
  /* the hub fills a missing timestamp with stored */
  without_timestamp = !json_object_object_get_ex (a, "timestamp", NULL)
                      || !json_object_object_get_ex (b, "timestamp", NULL);
  if (!members_in (a, b, without_timestamp, &count_a))
    return FALSE;
  json_object_object_foreach (b, key, value)
    {
      (void) value;
      if (!ignored_member (key, without_timestamp))
        count_b++;
    }
  return count_a == count_b;
}

/* ---- the writer ---- */

typedef struct
{
  HubStatementBatch      *batch;
  HubStatementsWrittenFn  written;
  gpointer                data;
} WriteJob;

typedef struct
{
  HubStore *store;
  GThread  *thread;
  GMutex    lock;
  GCond     wake;        /* the writer waits for jobs */
  GQueue    queue;
  gboolean  stopping;
  gint64    inflight_us; /* first stamp of the open transaction, 0 when none */
  /* Upkeep runs on its own thread, not in the writer's commits: on SQLite WAL checkpoints,
   * on PostgreSQL ANALYZE of the statement tables (see maintenance_thread()) */
  GThread  *checkpointer;
  GCond     checkpoint_wake;
  gboolean  checkpoint_wanted;
  gint64    wal_asked;     /* SQLite: frames in the WAL when a checkpoint was last asked for */
  gsize     wal_limit;     /* SQLite: the WAL's size at which the writer catches up */
  gboolean  wal_catch_up;  /* SQLite: the WAL is past wal_limit, the writer's turn */
  guint64   n_catch_ups, n_catch_ups_short;  /* for g_debug() */
  guint64   rows_written;  /* PostgreSQL: statements written by this process */
  guint64   rows_analyzed; /* PostgreSQL: rows_written when ANALYZE was last asked for */
  gint64    last_stored_us;
  gint64    next_stored_us; /* writer thread only */
  guint64   n_groups, n_jobs; /* transactions and requests written, for g_debug() */
  gint64    written_us;       /* writing, committing and answering, for g_debug() */
  gint64    commit_us;        /* of that, committing */
  /* writer thread only, SQLite: rows in statement_links_recent (-1: not counted yet), rows
   * the open transaction adds to it, and how many make a merge worth its commit */
  gint64    recent_links;
  guint64   group_links;
  guint     merge_links;
  /* writer thread only: activity id → the definition text last merged into `activities`
   * ("" when the row exists without one), so repeated definitions cost no SQL */
  GHashTable *known_activities;
} Writer;

static GMutex writer_create_lock;

typedef enum
{
  BATCH_OK,
  BATCH_REFUSED,   /* batch->status set before anything of the batch was written */
  BATCH_REFUSED_LATE, /* batch->status set after some of it was written: roll it back */
  BATCH_FAILED,    /* @error set */
} BatchResult;

static gint64
next_stamp (Writer *writer)
{
  gint64 now = hub_now_us ();

  if (now <= writer->next_stored_us)
    now = writer->next_stored_us + 1;
  writer->next_stored_us = now;
  return now;
}

static void
refuse (HubStatementBatch *batch,
        guint              status,
        const char        *format,
        ...) G_GNUC_PRINTF (3, 4);

static void
refuse (HubStatementBatch *batch,
        guint              status,
        const char        *format,
        ...)
{
  va_list args;

  batch->status = status;
  g_free (batch->message);
  va_start (args, format);
  batch->message = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Multi-row INSERTs: few round trips to PostgreSQL, few statement runs on SQLite. The
 * rows go in chunks of these sizes (largest first), so only a few SQL texts are cached. */
static const guint chunk_sizes[] = { 32, 8, 1 };

static guint
chunk_for (HubDb *db,
           guint  remaining)
{
  guint k;

  for (k = 0; k < G_N_ELEMENTS (chunk_sizes); k++)
    if (chunk_sizes[k] <= remaining)
      return chunk_sizes[k];
  return 1;
}

/* For lookups (SELECT … IN): read-only, so the same chunks on both engines. */
static guint
lookup_chunk_for (guint remaining)
{
  guint k;

  for (k = 0; k < G_N_ELEMENTS (chunk_sizes); k++)
    if (chunk_sizes[k] <= remaining)
      return chunk_sizes[k];
  return 1;
}

/* The SQL texts of the writer, built once per chunk size.
 *
 * On SQLite the INSERTs are INSERT OR IGNORE (SQLite's own syntax): inside a transaction,
 * a statement that writes several rows (several VALUES, or a RETURNING clause, which SQLite
 * runs as a trigger) and may abort half-way (a NOT NULL or UNIQUE constraint with the
 * default ABORT) makes SQLite copy every page it touches into a statement journal first,
 * which doubled the writer's I/O. With OR IGNORE nothing can abort half-way. Nothing is
 * lost: the statements' ids were checked first (find_existing()), and no value bound is
 * NULL where the schema forbids it. */
typedef enum
{
  SQL_INSERT_STATEMENTS,            /* SQLite */
  SQL_INSERT_STATEMENTS_RETURNING,  /* PostgreSQL */
  SQL_INSERT_AGENTS,
  SQL_INSERT_ACTIVITIES,
  SQL_INSERT_AGENTS_SQLITE,
  SQL_INSERT_ACTIVITIES_SQLITE,
  SQL_INSERT_RECENT_AGENTS,         /* SQLite */
  SQL_INSERT_RECENT_ACTIVITIES,     /* SQLite */
  SQL_LOOKUP_IDS,
  N_SQL_KINDS
} SqlKind;

#define STATEMENT_PARAMS 13
#define MAX_CHUNK 32

static char *sql_texts[N_SQL_KINDS][MAX_CHUNK + 1];
static GMutex sql_texts_lock;

static const char *
sql_text (SqlKind kind,
          guint   n)
{
  char *text;
  guint k;

  g_assert (n >= 1 && n <= MAX_CHUNK);
  g_mutex_lock (&sql_texts_lock);
  text = sql_texts[kind][n];
  if (text == NULL)
    {
      GString *sql = g_string_new (NULL);

      switch (kind)
        {
        case SQL_INSERT_STATEMENTS:
        case SQL_INSERT_STATEMENTS_RETURNING:
          g_string_append (sql, kind == SQL_INSERT_STATEMENTS ? "INSERT OR IGNORE" : "INSERT");
          g_string_append (sql, " INTO statements (id, stored_us, org_id, voided, is_voiding, verb_id, "
                                "object_type, object_id, ref_id, registration, actor_key, learner, timestamp, "
                                "json) VALUES ");
          for (k = 0; k < n; k++)
            {
              guint b = k * STATEMENT_PARAMS;

              /* voided at once when a voiding statement arrived before it */
              g_string_append_printf (sql,
                                      "%s($%u, $%u, $%u, CASE WHEN $%u = 0 AND EXISTS (SELECT 1 FROM statements v "
                                      "WHERE v.ref_id = $%u AND v.is_voiding = 1) THEN 1 ELSE 0 END, $%u, $%u, $%u, "
                                      "$%u, $%u, $%u, $%u, $%u, $%u, $%u)",
                                      k > 0 ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 1, b + 4, b + 5, b + 6,
                                      b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13);
            }
          g_string_append (sql, kind == SQL_INSERT_STATEMENTS ? " RETURNING id, seq"
                                                              : " ON CONFLICT (id) DO NOTHING RETURNING id, seq");
          break;
        case SQL_INSERT_AGENTS:
        case SQL_INSERT_ACTIVITIES:
        case SQL_INSERT_AGENTS_SQLITE:
        case SQL_INSERT_ACTIVITIES_SQLITE:
          g_string_append_printf (sql, "%s INTO %s (seq, %s, relation) VALUES ",
                                  kind == SQL_INSERT_AGENTS_SQLITE || kind == SQL_INSERT_ACTIVITIES_SQLITE
                                    ? "INSERT OR IGNORE" : "INSERT",
                                  kind == SQL_INSERT_AGENTS || kind == SQL_INSERT_AGENTS_SQLITE
                                    ? "statement_agents" : "statement_activities",
                                  kind == SQL_INSERT_AGENTS || kind == SQL_INSERT_AGENTS_SQLITE
                                    ? "agent_key" : "activity_id");
          for (k = 0; k < n; k++)
            g_string_append_printf (sql, "%s($%u, $%u, $%u)", k > 0 ? ", " : "", 1 + 3 * k, 2 + 3 * k, 3 + 3 * k);
          break;
        case SQL_INSERT_RECENT_AGENTS:
        case SQL_INSERT_RECENT_ACTIVITIES:
          g_string_append (sql, "INSERT OR IGNORE INTO statement_links_recent (seq, link_key, relation, kind) VALUES ");
          for (k = 0; k < n; k++)
            g_string_append_printf (sql, "%s($%u, $%u, $%u, %d)", k > 0 ? ", " : "", 1 + 3 * k, 2 + 3 * k, 3 + 3 * k,
                                    kind == SQL_INSERT_RECENT_AGENTS ? 0 : 1);
          break;
        case SQL_LOOKUP_IDS:
          g_string_append (sql, "SELECT id, json, org_id FROM statements WHERE id IN (");
          for (k = 0; k < n; k++)
            g_string_append_printf (sql, "%s$%u", k > 0 ? ", " : "", k + 1);
          g_string_append_c (sql, ')');
          break;
        case N_SQL_KINDS:
        default:
          g_assert_not_reached ();
        }
      text = sql_texts[kind][n] = g_string_free (sql, FALSE);
    }
  g_mutex_unlock (&sql_texts_lock);
  return text;
}

typedef struct
{
  gint64  seq;
  int     relation;
  char   *key;     /* borrowed */
} LinkRow;

static gboolean
insert_links (HubDb      *db,
              SqlKind     kind,
              GArray     *links,
              GError    **error)
{
  guint done = 0;

  while (done < links->len)
    {
      guint n = chunk_for (db, links->len - done), k;
      HubDbStmt *stmt = hub_db_prepare (db, sql_text (kind, n), error);

      if (stmt == NULL)
        return FALSE;
      for (k = 0; k < n; k++)
        {
          LinkRow *link = &g_array_index (links, LinkRow, done + k);

          hub_db_bind_int64 (stmt, 1 + 3 * k, link->seq);
          hub_db_bind_text_static (stmt, 2 + 3 * k, link->key);
          hub_db_bind_int64 (stmt, 3 + 3 * k, link->relation);
        }
      if (hub_db_run (stmt, error) < 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

typedef struct
{
  gint64    org_id;
  gint64    stored;
  char     *json;
  gint64    seq;     /* 0 until inserted */
  gboolean  skip;    /* already stored, identical: nothing to write */
} RowWork;

/* Inserts the rows listed in @todo (indexes into batch->rows and @work). */
static gboolean
insert_statements (HubDb             *db,
                   HubStatementBatch *batch,
                   RowWork           *work,
                   GArray            *todo,
                   GHashTable        *index,
                   GError           **error)
{
  guint done = 0, total = todo->len;
  gboolean sqlite = hub_db_engine (db) == HUB_DB_SQLITE;

  while (done < total)
    {
      guint n = chunk_for (db, total - done), k;
      HubDbStmt *stmt = hub_db_prepare (db, sql_text (sqlite ? SQL_INSERT_STATEMENTS : SQL_INSERT_STATEMENTS_RETURNING, n),
                                        error);

      if (stmt == NULL)
        return FALSE;
      for (k = 0; k < n; k++)
        {
          guint i = g_array_index (todo, guint, done + k);
          HubStatementRow *row = g_ptr_array_index (batch->rows, i);
          RowWork *w = &work[i];
          int b = (int) (k * STATEMENT_PARAMS);

          hub_db_bind_text_static (stmt, b + 1, row->id);
          hub_db_bind_int64 (stmt, b + 2, w->stored);
          hub_db_bind_int64 (stmt, b + 3, w->org_id);
          hub_db_bind_int64 (stmt, b + 4, row->is_voiding ? 1 : 0);
          hub_db_bind_text_static (stmt, b + 5, row->verb_id);
          hub_db_bind_text_static (stmt, b + 6, row->object_type);
          hub_db_bind_text_static (stmt, b + 7, row->object_id);
          hub_db_bind_text_static (stmt, b + 8, row->ref_id);
          hub_db_bind_text_static (stmt, b + 9, row->registration);
          hub_db_bind_text_static (stmt, b + 10, row->actor_key);
          hub_db_bind_text_static (stmt, b + 11, row->learner);
          hub_db_bind_text_static (stmt, b + 12, row->timestamp);
          hub_db_bind_text_static (stmt, b + 13, w->json);
        }
      if (n == 1)
        {
          /* one row: its seq, without looking the id up */
          guint i = g_array_index (todo, guint, done);

          if (hub_db_step (stmt, error))
            work[i].seq = hub_db_column_int64 (stmt, 1);
        }
      else
        {
          while (hub_db_step (stmt, error))
            {
              gpointer found;

              if (g_hash_table_lookup_extended (index, hub_db_column_text (stmt, 0), NULL, &found))
                work[GPOINTER_TO_UINT (found)].seq = hub_db_column_int64 (stmt, 1);
            }
        }
      hub_db_reset (stmt);
      if (error != NULL && *error != NULL)
        return FALSE;
      done += n;
    }
  return TRUE;
}

/* The learner's organisation (0: not a registered learner), cached for the batch. */
static gboolean
learner_org (HubDb       *db,
             GHashTable  *learners,
             const char  *learner,
             gint64      *org_id,
             GError     **error)
{
  gpointer cached;
  gint64 found = 0;
  GError *local = NULL;

  *org_id = 0;
  if (learner == NULL)
    return TRUE;
  if (g_hash_table_lookup_extended (learners, learner, NULL, &cached))
    {
      *org_id = cached != NULL ? *(gint64 *) cached : 0;
      return TRUE;
    }
  if (hub_store_learner_org (db, learner, &found, &local))
    {
      gint64 *copy = g_new (gint64, 1);

      *copy = found;
      *org_id = found;
      g_hash_table_insert (learners, g_strdup (learner), copy);
      return TRUE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  g_hash_table_insert (learners, g_strdup (learner), NULL);
  return TRUE;
}

/* A statement whose id is already stored (@json, @existing_org): identical is fine (nothing
 * to write), different is a conflict. */
static BatchResult
compare_existing (HubStatementBatch *batch,
                  HubStatementRow   *row,
                  const char        *json,
                  gint64             existing_org)
{
  g_autoptr(StmtJson) existing = NULL;
  g_autoptr(StmtJson) sent = NULL;

  if (batch->role == HUB_ROLE_DEVICE && existing_org != batch->org_id)
    {
      refuse (batch, 409, "statement %s: a statement with this id already exists", row->id);
      return BATCH_REFUSED;
    }
  /* rare (a re-send): parsed here rather than keeping every statement's tree in its
   * batch, which the writer would then have to free */
  existing = json != NULL ? json_tokener_parse (json) : NULL;
  sent = json_tokener_parse (row->text);
  if (existing == NULL || sent == NULL || !hub_statements_equal (existing, sent))
    {
      refuse (batch, 409, "statement %s: a different statement with this id already exists (statements cannot be changed)",
              row->id);
      return BATCH_REFUSED;
    }
  return BATCH_OK;
}

/* After an INSERT skipped a row: the id was already stored. */
static BatchResult
check_existing (HubDb             *db,
                HubStatementBatch *batch,
                HubStatementRow   *row,
                GError           **error)
{
  g_autofree char *json = NULL;
  HubDbStmt *stmt;
  gint64 existing_org;

  stmt = hub_db_prepare (db, "SELECT json, org_id FROM statements WHERE id = $1", error);
  if (stmt == NULL)
    return BATCH_FAILED;
  hub_db_bind_text (stmt, 1, row->id);
  if (!hub_db_step (stmt, error))
    {
      if (error != NULL && *error != NULL)
        return BATCH_FAILED;
      g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED, "statement %s vanished", row->id);
      return BATCH_FAILED;
    }
  json = g_strdup (hub_db_column_text (stmt, 0));
  existing_org = hub_db_column_int64 (stmt, 1);
  hub_db_reset (stmt);
  return compare_existing (batch, row, json, existing_org);
}

/* The batch's ids already stored, looked up a chunk at a time before anything is written:
 * identical re-sends are marked skip, a different statement refuses the batch. */
static BatchResult
find_existing (HubDb             *db,
               HubStatementBatch *batch,
               RowWork           *work,
               GHashTable        *index,
               GError           **error)
{
  guint done = 0, total = batch->rows->len;

  while (done < total)
    {
      guint n = lookup_chunk_for (total - done), k;
      BatchResult result = BATCH_OK;
      HubDbStmt *stmt = hub_db_prepare (db, sql_text (SQL_LOOKUP_IDS, n), error);

      if (stmt == NULL)
        return BATCH_FAILED;
      for (k = 0; k < n; k++)
        hub_db_bind_text (stmt, (int) k + 1, ((HubStatementRow *) g_ptr_array_index (batch->rows, done + k))->id);
      while (result == BATCH_OK && hub_db_step (stmt, error))
        {
          gpointer found;
          guint i;

          if (!g_hash_table_lookup_extended (index, hub_db_column_text (stmt, 0), NULL, &found))
            continue;
          i = GPOINTER_TO_UINT (found);
          result = compare_existing (batch, g_ptr_array_index (batch->rows, i), hub_db_column_text (stmt, 1),
                                     hub_db_column_int64 (stmt, 2));
          work[i].skip = TRUE;
        }
      hub_db_reset (stmt);
      if (error != NULL && *error != NULL)
        return BATCH_FAILED;
      if (result != BATCH_OK)
        return result;
      done += n;
    }
  return BATCH_OK;
}

/* The statement as stored: `stored` (and `timestamp` when it had none) first, then the
 * members serialised by the request's worker. */
static char *
stored_json (const HubStatementRow *row,
             const char            *stored_text,
             gboolean               with_timestamp)
{
  gsize stored_len = strlen (stored_text), text_len = strlen (row->text);
  GString *out = g_string_sized_new (text_len + 2 * stored_len + 40);

  g_string_append_len (out, "{\"stored\":\"", 11);
  g_string_append_len (out, stored_text, stored_len);
  if (with_timestamp)
    {
      g_string_append_len (out, "\",\"timestamp\":\"", 15);
      g_string_append_len (out, stored_text, stored_len);
    }
  g_string_append_c (out, '"');
  /* row->text is an object: "{}" or "{…}" */
  if (text_len > 2)
    g_string_append_c (out, ',');
  g_string_append_len (out, row->text + 1, text_len - 1);
  return g_string_free (out, FALSE);
}

static BatchResult
write_rows (HubDb             *db,
            Writer            *writer,
            HubStatementBatch *batch,
            GHashTable        *learners,
            GError           **error)
{
  guint n = batch->rows->len, i, j;
  RowWork *work = g_new0 (RowWork, n);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) todo = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  g_autoptr(GArray) agents = g_array_new (FALSE, FALSE, sizeof (LinkRow));
  g_autoptr(GArray) activities = g_array_new (FALSE, FALSE, sizeof (LinkRow));
  BatchResult result = BATCH_OK;
  gboolean sqlite = hub_db_engine (db) == HUB_DB_SQLITE;
  HubDbStmt *stmt;

  /* who may write what */
  for (i = 0; i < n && result == BATCH_OK; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);

      if (!learner_org (db, learners, row->learner, &work[i].org_id, error))
        result = BATCH_FAILED;
      else if (batch->role == HUB_ROLE_DEVICE && (work[i].org_id == 0 || work[i].org_id != batch->org_id))
        {
          if (row->learner != NULL)
            refuse (batch, 403, "statement %s: the actor \"%s\" is not a learner registered to this device's organisation",
                    row->id, row->learner);
          else
            refuse (batch, 403, "statement %s: the actor is not a registered learner (a device may only write statements whose actor is a learner of its organisation, identified by account.name)",
                    row->id);
          result = BATCH_REFUSED;
        }
      else if (batch->role != HUB_ROLE_DEVICE && batch->role != HUB_ROLE_ADMIN)
        {
          refuse (batch, 403, "this account may not write statements");
          result = BATCH_REFUSED;
        }
      g_hash_table_insert (index, row->id, GUINT_TO_POINTER (i));
    }
  if (result != BATCH_OK)
    goto out;

  /* SQLite: ids already stored, decided before anything is written, so that a refused
   * batch leaves nothing behind (no savepoint needed; see write_group()). PostgreSQL runs
   * each batch in a savepoint and learns of the ids from the INSERT, without the round
   * trips of a lookup. */
  if (sqlite)
    {
      result = find_existing (db, batch, work, index, error);
      if (result != BATCH_OK)
        goto out;
    }

  /* stored, and the text as it will be returned */
  for (i = 0; i < n; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);
      g_autofree char *stored_text = NULL;

      if (work[i].skip)
        continue;
      work[i].stored = next_stamp (writer);
      stored_text = hub_format_time (work[i].stored);
      /* a statement without timestamp gets its stored time (xAPI 1.0.3, 2.4.7) */
      if (row->timestamp == NULL)
        {
          row->timestamp = g_strdup (stored_text);
          row->timestamp_filled = TRUE;
          work[i].json = stored_json (row, stored_text, TRUE);
        }
      else
        work[i].json = stored_json (row, stored_text, FALSE);
      g_array_append_val (todo, i);
      if (work[i].stored > batch->last_stored_us)
        batch->last_stored_us = work[i].stored;
    }

  if (!insert_statements (db, batch, work, todo, index, error))
    {
      result = BATCH_FAILED;
      goto out;
    }

  for (i = 0; i < n && result == BATCH_OK; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);

      if (work[i].skip)
        continue;
      if (work[i].seq == 0)
        {
          /* already stored (PostgreSQL; on SQLite find_existing() saw it first) */
          result = check_existing (db, batch, row, error);
          if (result == BATCH_REFUSED)
            result = BATCH_REFUSED_LATE;
          if (result == BATCH_OK)
            work[i].skip = TRUE;
          continue;
        }
      for (j = 0; j < row->agents->len; j++)
        {
          HubStatementLink *link = &g_array_index (row->agents, HubStatementLink, j);
          LinkRow l = { work[i].seq, link->relation, link->key };
          g_array_append_val (agents, l);
        }
      for (j = 0; j < row->activities->len; j++)
        {
          HubStatementLink *link = &g_array_index (row->activities, HubStatementLink, j);
          LinkRow l = { work[i].seq, link->relation, link->key };
          g_array_append_val (activities, l);
        }
    }
  if (result != BATCH_OK)
    goto out;
  if (!insert_links (db, sqlite ? SQL_INSERT_RECENT_AGENTS : SQL_INSERT_AGENTS, agents, error)
      || !insert_links (db, sqlite ? SQL_INSERT_RECENT_ACTIVITIES : SQL_INSERT_ACTIVITIES, activities, error))
    {
      result = BATCH_FAILED;
      goto out;
    }
  writer->group_links += agents->len + activities->len;

  /* voiding, after every insert, so a target in this batch is voided too */
  for (i = 0; i < n; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);

      if (!row->is_voiding || work[i].seq == 0)
        continue;
      if (batch->role == HUB_ROLE_DEVICE)
        {
          stmt = hub_db_prepare (db, "UPDATE statements SET voided = 1 WHERE id = $1 AND is_voiding = 0 AND org_id = $2", error);
          if (stmt != NULL)
            hub_db_bind_int64 (stmt, 2, batch->org_id);
        }
      else
        stmt = hub_db_prepare (db, "UPDATE statements SET voided = 1 WHERE id = $1 AND is_voiding = 0", error);
      if (stmt == NULL)
        {
          result = BATCH_FAILED;
          goto out;
        }
      hub_db_bind_text (stmt, 1, row->ref_id);
      if (hub_db_run (stmt, error) < 0)
        {
          result = BATCH_FAILED;
          goto out;
        }
    }

out:
  for (i = 0; i < n; i++)
    g_free (work[i].json);
  g_free (work);
  return result;
}

/* The definition's text, serialised by the worker (or here, for rows made elsewhere). */
static const char *
definition_text (HubActivityDefinition *def)
{
  if (def->text == NULL)
    def->text = g_strdup (json_object_to_json_string_ext (def->definition, JSON_TEXT_FLAGS));
  return def->text;
}

static BatchResult
write_batch (HubDb             *db,
             Writer            *writer,
             HubStatementBatch *batch,
             GHashTable        *pending,
             GError           **error)
{
  g_autoptr(GHashTable) learners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* activity id → the definitions seen in this batch, in order (empty: none) */
  g_autoptr(GHashTable) definitions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;
  HubDbStmt *stmt;
  gint64 now = hub_now_us ();
  guint i;

  batch->status = 0;
  g_clear_pointer (&batch->message, g_free);
  batch->last_stored_us = 0;
  for (i = 0; i < batch->rows->len; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);
      if (row->timestamp_filled)
        {
          g_clear_pointer (&row->timestamp, g_free);
          row->timestamp_filled = FALSE;
        }
    }

  {
    BatchResult result = write_rows (db, writer, batch, learners, error);

    if (result != BATCH_OK)
      return result;
  }
  for (i = 0; i < batch->rows->len; i++)
    {
      HubStatementRow *row = g_ptr_array_index (batch->rows, i);
      guint d;

      for (d = 0; d < row->definitions->len; d++)
        {
          HubActivityDefinition *def = g_ptr_array_index (row->definitions, d);
          GPtrArray *seen = g_hash_table_lookup (definitions, def->activity_id);

          if (seen == NULL)
            {
              seen = g_ptr_array_new ();
              g_hash_table_insert (definitions, def->activity_id, seen);
            }
          if (def->definition != NULL)
            g_ptr_array_add (seen, def);
        }
    }

  g_hash_table_iter_init (&iter, definitions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *seen = value;
      const char *definition = NULL;
      const char *known = g_hash_table_lookup (writer->known_activities, key);

      if (seen->len > 0)
        {
          g_autoptr(StmtJson) old_def = NULL;
          g_autoptr(StmtJson) merged = NULL;
          const char *input = definition_text (g_ptr_array_index (seen, 0));
          gboolean same = TRUE;
          guint k;

          for (k = 1; k < seen->len && same; k++)
            same = g_str_equal (input, definition_text (g_ptr_array_index (seen, k)));
          /* merged before: merging it again changes nothing */
          if (same && known != NULL && g_str_equal (known, input))
            continue;
          if (same)
            g_hash_table_replace (pending, g_strdup (key), g_strdup (input));

          stmt = hub_db_prepare (db, "SELECT definition FROM activities WHERE activity_id = $1", error);
          if (stmt == NULL)
            return BATCH_FAILED;
          hub_db_bind_text (stmt, 1, key);
          if (hub_db_step (stmt, error))
            {
              if (!hub_db_column_is_null (stmt, 0))
                old_def = json_tokener_parse (hub_db_column_text (stmt, 0));
            }
          else if (error != NULL && *error != NULL)
            return BATCH_FAILED;
          hub_db_reset (stmt);
          merged = g_steal_pointer (&old_def);
          for (k = 0; k < seen->len; k++)
            {
              json_object *next = hub_activity_merge_definition (
                merged, ((HubActivityDefinition *) g_ptr_array_index (seen, k))->definition);

              json_object_put (merged);
              merged = next;
            }
          definition = merged != NULL ? json_object_to_json_string_ext (merged, JSON_TEXT_FLAGS)
                                      : definition_text (g_ptr_array_index (seen, seen->len - 1));
          stmt = hub_db_prepare (db,
                                 "INSERT INTO activities (activity_id, definition, updated_us) VALUES ($1, $2, $3) "
                                 "ON CONFLICT (activity_id) DO UPDATE SET definition = excluded.definition, "
                                 "updated_us = excluded.updated_us", error);
          if (stmt == NULL)
            return BATCH_FAILED;
          hub_db_bind_text (stmt, 1, key);
          hub_db_bind_text (stmt, 2, definition);
          hub_db_bind_int64 (stmt, 3, now);
        }
      else
        {
          if (known != NULL)
            continue;
          g_hash_table_replace (pending, g_strdup (key), g_strdup (""));
          stmt = hub_db_prepare (db,
                                 "INSERT INTO activities (activity_id, definition, updated_us) VALUES ($1, NULL, $2) "
                                 "ON CONFLICT (activity_id) DO NOTHING", error);
          if (stmt == NULL)
            return BATCH_FAILED;
          hub_db_bind_text (stmt, 1, key);
          hub_db_bind_int64 (stmt, 2, now);
        }
      if (hub_db_run (stmt, error) < 0)
        return BATCH_FAILED;
    }

  for (i = 0; i < batch->attachments->len; i++)
    {
      HubAttachmentPart *part = g_ptr_array_index (batch->attachments, i);
      gsize size;
      const void *data = g_bytes_get_data (part->body, &size);

      stmt = hub_db_prepare (db,
                             "INSERT INTO attachments (sha2, content_type, length, body) VALUES ($1, $2, $3, $4) "
                             "ON CONFLICT (sha2) DO NOTHING", error);
      if (stmt == NULL)
        return BATCH_FAILED;
      hub_db_bind_text (stmt, 1, part->sha2);
      hub_db_bind_text (stmt, 2, part->content_type != NULL ? part->content_type : "application/octet-stream");
      hub_db_bind_int64 (stmt, 3, (gint64) size);
      hub_db_bind_blob (stmt, 4, data != NULL ? data : "", size);
      if (hub_db_run (stmt, error) < 0)
        return BATCH_FAILED;
    }
  return BATCH_OK;
}

/* One transaction for all @jobs. FALSE with @error when the whole transaction failed.
 *
 * A batch refused by the checks that precede its writes (BATCH_REFUSED) has written
 * nothing. So on SQLite, where the writer holds the only write transaction, batches need no
 * savepoints (which would make SQLite copy every page they touch into a sub-journal). When
 * a batch fails or is refused after writing (rare: an SQL error, or on PostgreSQL another
 * process storing the same id meanwhile) without a savepoint, the transaction is rolled
 * back and *@split set: the caller writes each job alone. */
static gboolean
write_group (HubDb      *db,
             Writer     *writer,
             GPtrArray  *jobs,
             GHashTable *learned,
             gboolean   *split,
             GError    **error)
{
  /* one batch alone needs no savepoint: refusing it rolls back the transaction */
  gboolean savepoints = jobs->len > 1 && hub_db_engine (db) != HUB_DB_SQLITE;
  gboolean any_ok = FALSE;
  gint64 commit_start;
  guint i;

  *split = FALSE;
  writer->group_links = 0;
  if (!hub_db_begin (db, error))
    return FALSE;
  for (i = 0; i < jobs->len; i++)
    {
      WriteJob *job = g_ptr_array_index (jobs, i);
      g_autoptr(GHashTable) pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      GError *local = NULL;
      BatchResult result;

      if (savepoints && !hub_db_savepoint (db, "batch", error))
        goto fail;
      result = write_batch (db, writer, job->batch, pending, &local);
      if (result == BATCH_OK)
        {
          GHashTableIter iter;
          gpointer key, value;

          g_hash_table_iter_init (&iter, pending);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_hash_table_iter_steal (&iter);
              g_hash_table_replace (learned, key, value);
            }
          any_ok = TRUE;
        }
      if (result == BATCH_FAILED && g_error_matches (local, HUB_DB_ERROR, HUB_DB_ERROR_BUSY))
        {
          g_propagate_error (error, local);
          goto fail;
        }
      if (jobs->len > 1 && !savepoints && (result == BATCH_FAILED || result == BATCH_REFUSED_LATE))
        {
          g_clear_error (&local);
          hub_db_rollback (db);
          *split = TRUE;
          return FALSE;
        }
      if (result != BATCH_OK)
        {
          if (result == BATCH_FAILED)
            {
              g_warning ("writing statements: %s", local->message);
              refuse (job->batch, 500, "the statements could not be stored: %s", local->message);
              g_clear_error (&local);
            }
          if (savepoints && !hub_db_rollback_to (db, "batch", error))
            goto fail;
        }
      if (savepoints && !hub_db_release (db, "batch", error))
        goto fail;
    }
  if (!any_ok)
    {
      /* every batch was refused: nothing to keep */
      hub_db_rollback (db);
      return TRUE;
    }
  commit_start = g_get_monotonic_time ();
  if (!hub_db_commit (db, error))
    goto fail;
  writer->commit_us += g_get_monotonic_time () - commit_start;
  if (writer->recent_links >= 0)
    writer->recent_links += writer->group_links;
  return TRUE;

fail:
  hub_db_rollback (db);
  return FALSE;
}

/* Writes @jobs in one transaction, retried while the database is busy; every job's batch
 * ends with its status set. */
static void
write_jobs (Writer     *writer,
            HubDb      *db,
            GPtrArray  *jobs,
            GHashTable *learned)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE, split = FALSE;
  guint i, attempt;

  for (attempt = 0; attempt < WRITE_ATTEMPTS; attempt++)
    {
      g_clear_error (&error);
      g_hash_table_remove_all (learned);
      ok = write_group (db, writer, jobs, learned, &split, &error);
      if (ok || split || !g_error_matches (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY))
        break;
      g_usleep (2000 << attempt);
    }
  if (split)
    {
      /* one batch failed or was refused after writing: each job in its own transaction */
      for (i = 0; i < jobs->len; i++)
        {
          g_autoptr(GPtrArray) one = g_ptr_array_new ();

          g_ptr_array_add (one, g_ptr_array_index (jobs, i));
          write_jobs (writer, db, one, learned);
        }
      return;
    }
  if (ok)
    {
      GHashTableIter iter;
      gpointer key, value;

      if (g_hash_table_size (writer->known_activities) > 50000)
        g_hash_table_remove_all (writer->known_activities);
      g_hash_table_iter_init (&iter, learned);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_hash_table_iter_steal (&iter);
          g_hash_table_replace (writer->known_activities, key, value);
        }
      return;
    }
  g_warning ("writing statements: %s", error != NULL ? error->message : "unknown error");
  for (i = 0; i < jobs->len; i++)
    {
      WriteJob *job = g_ptr_array_index (jobs, i);

      if (g_error_matches (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY))
        refuse (job->batch, 503, "the database is busy; try again");
      else
        refuse (job->batch, 500, "the statements could not be stored: %s",
                error != NULL ? error->message : "unknown error");
    }
}

/* SQLite: moves the links of statement_links_recent into the keyed tables, sorted by key
 * so that each learner's and each activity's page is written once for all of them, in one
 * transaction (a reader sees the links in one table or the other, never neither). */
static gboolean
merge_recent_links (Writer  *writer,
                    HubDb   *db,
                    GError **error)
{
  static const char * const moves[] = {
    "INSERT OR IGNORE INTO statement_agents (agent_key, seq, relation)"
    " SELECT link_key, seq, relation FROM statement_links_recent WHERE kind = 0 AND rowid <= $1"
    " ORDER BY link_key, seq, relation",
    "INSERT OR IGNORE INTO statement_activities (activity_id, seq, relation)"
    " SELECT link_key, seq, relation FROM statement_links_recent WHERE kind = 1 AND rowid <= $1"
    " ORDER BY link_key, seq, relation",
    "DELETE FROM statement_links_recent WHERE rowid <= $1",
  };
  HubDbStmt *stmt;
  gint64 last = 0, moved = 0;
  gint64 started = g_get_monotonic_time ();

  if (!hub_db_begin (db, error))
    return FALSE;
  stmt = hub_db_prepare (db, "SELECT max(rowid), count(*) FROM statement_links_recent", error);
  if (stmt == NULL)
    goto fail;
  if (hub_db_step (stmt, error))
    {
      last = hub_db_column_is_null (stmt, 0) ? 0 : hub_db_column_int64 (stmt, 0);
      moved = hub_db_column_int64 (stmt, 1);
    }
  hub_db_reset (stmt);
  if (error != NULL && *error != NULL)
    goto fail;
  for (guint i = 0; i < G_N_ELEMENTS (moves) && last > 0; i++)
    {
      stmt = hub_db_prepare (db, moves[i], error);
      if (stmt == NULL)
        goto fail;
      hub_db_bind_int64 (stmt, 1, last);
      if (hub_db_run (stmt, error) < 0)
        goto fail;
    }
  if (!hub_db_commit (db, error))
    goto fail;
  writer->recent_links = 0;
  g_debug ("moved %" G_GINT64_FORMAT " recent statement links into their tables in %.1f ms",
           moved, (g_get_monotonic_time () - started) / 1000.0);
  return TRUE;

fail:
  hub_db_rollback (db);
  return FALSE;
}

/* SQLite: counts the links left in statement_links_recent by an earlier run, once. */
static void
count_recent_links (Writer *writer,
                    HubDb  *db)
{
  g_autoptr(GError) error = NULL;
  HubDbStmt *stmt = hub_db_prepare (db, "SELECT count(*) FROM statement_links_recent", &error);

  if (stmt != NULL && hub_db_step (stmt, &error))
    writer->recent_links = hub_db_column_int64 (stmt, 0);
  if (stmt != NULL)
    hub_db_reset (stmt);
  if (error != NULL)
    g_warning ("counting the recent statement links: %s", error->message);
}

/* SQLite: merges once enough links wait, or (@idle) any at all. A failure leaves them
 * where they are, readable, for the next try. */
static void
maybe_merge_recent_links (Writer   *writer,
                          gboolean  idle)
{
  g_autoptr(GError) error = NULL;
  HubDb *db;

  if (writer->recent_links <= 0 || (!idle && (guint64) writer->recent_links < writer->merge_links))
    return;
  db = hub_store_db (writer->store, &error);
  if (db != NULL && !merge_recent_links (writer, db, &error))
    g_debug ("merging the recent statement links: %s", error->message);
  else if (db == NULL)
    g_warning ("merging the recent statement links: %s", error->message);
}

/* SQLite: PRAGMA wal_checkpoint(PASSIVE) on @db: copies into the database what the WAL
 * holds and no reader still needs, without waiting for anyone. @log and @copied: the frames
 * (pages) in the WAL and those of them in the database now; both -1 when another
 * connection's checkpoint was running. */
static gboolean
checkpoint_wal (HubDb   *db,
                gint64  *log,
                gint64  *copied,
                GError **error)
{
  HubDbStmt *stmt = hub_db_prepare (db, "PRAGMA wal_checkpoint(PASSIVE)", error);
  gboolean ok = stmt != NULL && hub_db_step (stmt, error);

  *log = *copied = -1;
  if (ok && hub_db_column_int64 (stmt, 0) == 0)
    {
      *log = hub_db_column_int64 (stmt, 1);
      *copied = hub_db_column_int64 (stmt, 2);
    }
  if (stmt != NULL)
    hub_db_reset (stmt);
  return ok;
}

/* SQLite, writer thread, between transactions: when the checkpointer found the WAL past its
 * limit, copies its last frames too. The checkpointer copies from its own connection while
 * the writer appends, so it never catches up with a writer that never pauses, and SQLite
 * starts the WAL over (at the writer's next commit) only once every frame is in the
 * database: without this the WAL grew by ~5 KiB a statement for as long as statements came
 * (1.4 GB over a 30-second benchmark), and each commit wrote new blocks at its end, which
 * the kernel zeroes first (a quarter of the writer's time). The copy here is short (the
 * frames written since the checkpointer's pass) and no commit can come between it and the
 * writer's next transaction. */
static void
catch_up_wal (Writer *writer,
              HubDb  *db)
{
  g_autoptr(GError) error = NULL;
  gint64 log, copied;
  gboolean wanted;

  g_mutex_lock (&writer->lock);
  wanted = writer->wal_catch_up;
  writer->wal_catch_up = FALSE;
  g_mutex_unlock (&writer->lock);
  if (!wanted)
    return;
  if (!checkpoint_wal (db, &log, &copied, &error))
    {
      g_debug ("WAL checkpoint by the writer: %s", error->message);
      return;
    }
  writer->n_catch_ups++;
  /* a reader's snapshot still needs some frames, or the checkpointer was copying: the
   * checkpointer's next pass asks again */
  if (log < 0 || copied < log)
    writer->n_catch_ups_short++;
}

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  gboolean tuned = FALSE;
  g_autoptr(GHashTable) learned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (;;)
    {
      g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;
      HubDb *db;
      guint i;
      WriteJob *job;
      gint64 group_start;

      g_mutex_lock (&writer->lock);
      while (g_queue_is_empty (&writer->queue) && !writer->stopping)
        {
          if (writer->recent_links > 0)
            {
              /* nothing to write for a while: a good moment to merge the recent links */
              gint64 until = g_get_monotonic_time () + MERGE_IDLE_US;

              if (!g_cond_wait_until (&writer->wake, &writer->lock, until) &&
                  g_queue_is_empty (&writer->queue) && !writer->stopping)
                {
                  g_mutex_unlock (&writer->lock);
                  maybe_merge_recent_links (writer, TRUE);
                  g_mutex_lock (&writer->lock);
                }
            }
          else
            g_cond_wait (&writer->wake, &writer->lock);
        }
      if (g_queue_is_empty (&writer->queue) && writer->stopping)
        {
          g_mutex_unlock (&writer->lock);
          break;
        }
      {
        guint rows = 0;

        while ((job = g_queue_peek_head (&writer->queue)) != NULL &&
               (jobs->len == 0 || rows + job->batch->rows->len <= GROUP_MAX_ROWS))
          {
            g_queue_pop_head (&writer->queue);
            rows += job->batch->rows->len;
            g_ptr_array_add (jobs, job);
          }
      }
      writer->n_groups++;
      writer->n_jobs += jobs->len;
      /* every stamp of this transaction will be later than this */
      writer->inflight_us = MAX (hub_now_us (), writer->next_stored_us + 1);
      g_mutex_unlock (&writer->lock);
      group_start = g_get_monotonic_time ();

      db = hub_store_db (writer->store, &error);
      if (db != NULL && !tuned && hub_db_engine (db) == HUB_DB_SQLITE)
        {
          /* big transactions: keep their pages in memory instead of spilling them into
           * the WAL before the commit; checkpoints are the checkpointer's job. 16 MiB holds
           * the pages of a group of several batches of 500 (64 MiB made no difference to
           * the ingest rates but added 45-50 MiB to the hub's resident size). (The writer
           * uses no savepoints and no statements that need a statement journal on SQLite:
           * see write_group() and sql_text().) */
          g_autoptr(GError) ignored = NULL;
          hub_db_exec (db, "PRAGMA cache_size = -16384", &ignored);
          hub_db_track_wal (db);
          count_recent_links (writer, db);
          tuned = TRUE;
        }
      if (db != NULL)
        write_jobs (writer, db, jobs, learned);
      else
        {
          g_warning ("writing statements: %s", error->message);
          for (i = 0; i < jobs->len; i++)
            refuse (((WriteJob *) g_ptr_array_index (jobs, i))->batch, 500,
                    "the statements could not be stored: %s", error->message);
        }
      ok = TRUE;

      g_mutex_lock (&writer->lock);
      writer->inflight_us = 0;
      writer->last_stored_us = writer->next_stored_us;
      if (ok && writer->checkpointer != NULL && hub_store_engine (writer->store) == HUB_DB_SQLITE)
        {
          /* a checkpoint each time an eighth of the WAL's limit was added to it (4 MiB: a
           * commit adds 8-10 pages, and a statement in a batch of 500 half a page, so
           * about 120 statements one by one or 1,900 in batches) */
          gint64 frames = db != NULL ? hub_db_wal_frames (db) : -1;

          if (frames >= 0 && frames < writer->wal_asked)
            writer->wal_asked = 0;  /* the WAL started over */
          if (frames >= 0 && (frames - writer->wal_asked) * PAGE_FRAME_BYTES > (gint64) writer->wal_limit / 8)
            {
              writer->wal_asked = frames;
              writer->checkpoint_wanted = TRUE;
              g_cond_signal (&writer->checkpoint_wake);
            }
        }
      else if (ok && writer->checkpointer != NULL)
        {
          /* PostgreSQL: fresh planner statistics each time what this process wrote
           * doubled (from ANALYZE_MIN_ROWS rows on), so a table filled faster than
           * autovacuum looks at it still gets index scans for its pages (see
           * maintenance_thread()); a few ANALYZEs for a big import, then autovacuum's */
          for (i = 0; i < jobs->len; i++)
            {
              HubStatementBatch *batch = ((WriteJob *) g_ptr_array_index (jobs, i))->batch;

              if (batch->status == 0)
                writer->rows_written += batch->rows->len;
            }
          if (writer->rows_written - writer->rows_analyzed
              >= MAX (ANALYZE_MIN_ROWS, writer->rows_analyzed))
            {
              writer->rows_analyzed = writer->rows_written;
              writer->checkpoint_wanted = TRUE;
              g_cond_signal (&writer->checkpoint_wake);
            }
        }
      g_mutex_unlock (&writer->lock);

      /* the answers: each request's continuation, here, without waking a thread that
       * waited for it (a wake-up costs a virtual machine an interrupt between its CPUs) */
      for (i = 0; i < jobs->len; i++)
        {
          job = g_ptr_array_index (jobs, i);
          job->written (job->batch, job->data);
          g_free (job);
        }
      writer->written_us += g_get_monotonic_time () - group_start;

      /* after the answers: the requests written do not wait for it */
      if (db != NULL && hub_db_engine (db) == HUB_DB_SQLITE)
        {
          maybe_merge_recent_links (writer, FALSE);
          catch_up_wal (writer, db);
        }
    }
  return NULL;
}

/* SQLite: copies the WAL into the database after about 4 MiB of commits, so that the
 * writer's commits only append to the WAL. PASSIVE: never waits for readers or the writer.
 * Past the WAL's limit it leaves the last frames to the writer (catch_up_wal()).
 *
 * PostgreSQL: ANALYZE of the statement tables after the writer wrote many rows. Without
 * statistics (a table filled within autovacuum's nap, e.g. an import or a new hub) the
 * planner takes `voided = 0` for a rare value (0.5 %) and then prefers reading every
 * matching row and sorting them to walking the (stored_us, seq) index: 60-190 ms instead
 * of under 1 ms for a page of 500 of 20,000-50,000 statements. ANALYZE takes a lock that
 * does not block writes; it runs here so that the writer's commits do not wait for it. */
static gpointer
maintenance_thread (gpointer data)
{
  Writer *writer = data;
  gboolean sqlite = hub_store_engine (writer->store) == HUB_DB_SQLITE;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      HubDb *db;

      g_mutex_lock (&writer->lock);
      while (!writer->checkpoint_wanted && !writer->stopping)
        g_cond_wait (&writer->checkpoint_wake, &writer->lock);
      if (writer->stopping)
        {
          g_mutex_unlock (&writer->lock);
          break;
        }
      writer->checkpoint_wanted = FALSE;
      g_mutex_unlock (&writer->lock);

      db = hub_store_db (writer->store, &error);
      if (sqlite)
        {
          gint64 log, copied;

          if (db == NULL || !checkpoint_wal (db, &log, &copied, &error))
            g_debug ("WAL checkpoint: %s", error != NULL ? error->message : "no connection");
          else if (log * (gint64) PAGE_FRAME_BYTES > (gint64) writer->wal_limit)
            {
              g_mutex_lock (&writer->lock);
              writer->wal_catch_up = TRUE;
              g_mutex_unlock (&writer->lock);
            }
          g_usleep (20000);
        }
      else if (db == NULL
               || !hub_db_exec (db, "ANALYZE statements, statement_agents, statement_activities",
                                &error))
        {
          /* e.g. the hub's role does not own the tables: autovacuum still does it, later */
          g_debug ("ANALYZE: %s", error != NULL ? error->message : "no connection");
        }
    }
  return NULL;
}

static void
writer_free (gpointer data)
{
  Writer *writer = data;

  g_mutex_lock (&writer->lock);
  writer->stopping = TRUE;
  g_cond_broadcast (&writer->wake);
  g_cond_broadcast (&writer->checkpoint_wake);
  g_mutex_unlock (&writer->lock);
  g_thread_join (writer->thread);
  g_debug ("statement writer: %" G_GUINT64_FORMAT " requests in %" G_GUINT64_FORMAT
           " transactions, %.2f ms each to write, commit and answer (%.2f ms the commit); "
           "%" G_GUINT64_FORMAT " WAL catch-ups (%" G_GUINT64_FORMAT " short)",
           writer->n_jobs, writer->n_groups,
           writer->written_us / 1000.0 / MAX (writer->n_groups, 1),
           writer->commit_us / 1000.0 / MAX (writer->n_groups, 1),
           writer->n_catch_ups, writer->n_catch_ups_short);
  if (writer->checkpointer != NULL)
    {
      g_autoptr(GError) error = NULL;
      HubDb *db;

      g_thread_join (writer->checkpointer);
      /* a last checkpoint, so a stopped hub leaves a short WAL */
      db = hub_store_db (writer->store, &error);
      if (db != NULL && hub_store_engine (writer->store) == HUB_DB_SQLITE)
        hub_db_exec (db, "PRAGMA wal_checkpoint(PASSIVE)", &error);
    }
  g_cond_clear (&writer->checkpoint_wake);
  g_hash_table_unref (writer->known_activities);
  g_mutex_clear (&writer->lock);
  g_cond_clear (&writer->wake);
  g_free (writer);
}

static Writer *
get_writer (HubStore *store)
{
  Writer *writer;

  g_mutex_lock (&writer_create_lock);
  writer = hub_store_get_part (store, "statements");
  if (writer == NULL)
    {
      writer = g_new0 (Writer, 1);
      writer->store = store;
      g_mutex_init (&writer->lock);
      g_cond_init (&writer->wake);
      g_queue_init (&writer->queue);
      writer->known_activities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      writer->recent_links = -1;
      writer->merge_links = MERGE_LINKS_DEFAULT;
      writer->wal_limit = WAL_LIMIT_DEFAULT;
      {
        const char *env = g_getenv ("SHUYUAN_HUB_LINK_MERGE_ROWS");
        guint64 value;

        if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &value, NULL))
          writer->merge_links = (guint) value;
        env = g_getenv ("SHUYUAN_HUB_WAL_LIMIT_BYTES");
        if (env != NULL && g_ascii_string_to_unsigned (env, 10, 65536, G_MAXUINT32, &value, NULL))
          writer->wal_limit = (gsize) value;
      }
      g_cond_init (&writer->checkpoint_wake);
      writer->checkpointer = g_thread_new ("statement-upkeep", maintenance_thread, writer);
      writer->thread = g_thread_new ("statement-writer", writer_thread, writer);
      hub_store_set_part (store, "statements", writer, writer_free);
    }
  g_mutex_unlock (&writer_create_lock);
  return writer;
}

void
hub_statements_write (HubStore               *store,
                      HubStatementBatch      *batch,
                      HubStatementsWrittenFn  written,
                      gpointer                data)
{
  Writer *writer = get_writer (store);
  WriteJob *job;

  g_mutex_lock (&writer->lock);
  if (writer->stopping)
    {
      g_mutex_unlock (&writer->lock);
      refuse (batch, 503, "the hub is shutting down");
      written (batch, data);
      return;
    }
  job = g_new (WriteJob, 1);
  job->batch = batch;
  job->written = written;
  job->data = data;
  g_queue_push_tail (&writer->queue, job);
  g_cond_signal (&writer->wake);
  g_mutex_unlock (&writer->lock);
}

gint64
hub_statements_consistent_through (HubStore *store)
{
  Writer *writer;
  gint64 through = hub_now_us ();

  g_mutex_lock (&writer_create_lock);
  writer = hub_store_get_part (store, "statements");
  g_mutex_unlock (&writer_create_lock);
  if (writer != NULL)
    {
      g_mutex_lock (&writer->lock);
      if (writer->inflight_us != 0)
        through = MIN (through, writer->inflight_us - 1);
      g_mutex_unlock (&writer->lock);
    }
  if (hub_store_engine (store) == HUB_DB_POSTGRESQL)
    through -= PG_CONSISTENCY_MARGIN_US;
  return through;
}

/* ---- queries ---- */

typedef struct
{
  int agent, verb, activity, registration;
} FilterParams;

static void
append_filter (GString                 *sql,
               const char              *alias,
               const HubStatementQuery *query,
               const FilterParams      *p)
{
  const char *sep = "";

  if (query->verb != NULL)
    {
      g_string_append_printf (sql, "%s%s.verb_id = $%d", sep, alias, p->verb);
      sep = " AND ";
    }
  if (query->registration != NULL)
    {
      g_string_append_printf (sql, "%s%s.registration = $%d", sep, alias, p->registration);
      sep = " AND ";
    }
  if (query->agent_key != NULL)
    {
      /* the links are in the keyed table or, not merged yet, in the recent one */
      g_string_append_printf (sql, "%s%s.seq IN (SELECT a.seq FROM statement_agents a WHERE a.agent_key = $%d%s"
                                   " UNION ALL SELECT r.seq FROM statement_links_recent r"
                                   " WHERE r.kind = 0 AND r.link_key = $%d%s)",
                              sep, alias, p->agent, query->related_agents ? "" : " AND a.relation < 2",
                              p->agent, query->related_agents ? "" : " AND r.relation < 2");
      sep = " AND ";
    }
  if (query->activity != NULL)
    {
      g_string_append_printf (sql, "%s%s.seq IN (SELECT c.seq FROM statement_activities c WHERE c.activity_id = $%d%s"
                                   " UNION ALL SELECT r.seq FROM statement_links_recent r"
                                   " WHERE r.kind = 1 AND r.link_key = $%d%s)",
                              sep, alias, p->activity, query->related_activities ? "" : " AND c.relation = 0",
                              p->activity, query->related_activities ? "" : " AND r.relation = 0");
    }
}

gboolean
hub_store_statements_find (HubDb                   *db,
                           const HubStatementQuery *query,
                           GPtrArray               *out,
                           gboolean                *more,
                           gint64                  *last_stored_us,
                           gint64                  *last_seq,
                           gint64                  *max_stored_us,
                           GError                 **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT s.seq, s.stored_us, s.json FROM statements s WHERE s.voided = 0");
  FilterParams fp = { 0, 0, 0, 0 };
  int n = 0, p_org = 0, p_since = 0, p_until = 0, p_cs = 0, p_cq = 0, p_limit;
  gboolean filtered;
  HubDbStmt *stmt;
  guint count = 0;
  const char *cmp = query->ascending ? ">" : "<";

  *more = FALSE;
  *last_stored_us = 0;
  *last_seq = 0;
  *max_stored_us = 0;

  if (!query->all_orgs)
    {
      p_org = ++n;
      g_string_append_printf (sql, " AND s.org_id = $%d", p_org);
    }
  if (query->since_us >= 0)
    {
      p_since = ++n;
      g_string_append_printf (sql, " AND s.stored_us > $%d", p_since);
    }
  if (query->until_us >= 0)
    {
      p_until = ++n;
      g_string_append_printf (sql, " AND s.stored_us <= $%d", p_until);
    }
  if (query->has_cursor)
    {
      p_cs = ++n;
      p_cq = ++n;
      /* a row value comparison: both engines walk the (stored_us, seq) index from there */
      g_string_append_printf (sql, " AND (s.stored_us, s.seq) %s ($%d, $%d)", cmp, p_cs, p_cq);
    }
  filtered = query->verb != NULL || query->registration != NULL || query->agent_key != NULL
             || query->activity != NULL;
  if (filtered)
    {
      if (query->verb != NULL)
        fp.verb = ++n;
      if (query->registration != NULL)
        fp.registration = ++n;
      if (query->agent_key != NULL)
        fp.agent = ++n;
      if (query->activity != NULL)
        fp.activity = ++n;
      g_string_append (sql, " AND ((");
      append_filter (sql, "s", query, &fp);
      g_string_append (sql, ") OR s.ref_id IN (SELECT t.id FROM statements t WHERE ");
      append_filter (sql, "t", query, &fp);
      g_string_append (sql, "))");
    }
  p_limit = ++n;
  g_string_append_printf (sql, " ORDER BY s.stored_us %s, s.seq %s LIMIT $%d",
                          query->ascending ? "ASC" : "DESC", query->ascending ? "ASC" : "DESC", p_limit);

  stmt = hub_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  if (p_org)
    hub_db_bind_int64 (stmt, p_org, query->org_id);
  if (p_since)
    hub_db_bind_int64 (stmt, p_since, query->since_us);
  if (p_until)
    hub_db_bind_int64 (stmt, p_until, query->until_us);
  if (p_cs)
    {
      hub_db_bind_int64 (stmt, p_cs, query->cursor_stored_us);
      hub_db_bind_int64 (stmt, p_cq, query->cursor_seq);
    }
  if (fp.verb)
    hub_db_bind_text (stmt, fp.verb, query->verb);
  if (fp.registration)
    hub_db_bind_text (stmt, fp.registration, query->registration);
  if (fp.agent)
    hub_db_bind_text (stmt, fp.agent, query->agent_key);
  if (fp.activity)
    hub_db_bind_text (stmt, fp.activity, query->activity);
  hub_db_bind_int64 (stmt, p_limit, (gint64) query->limit + 1);

  while (hub_db_step (stmt, error))
    {
      gint64 stored;

      if (count == query->limit)
        {
          *more = TRUE;
          break;
        }
      count++;
      *last_seq = hub_db_column_int64 (stmt, 0);
      stored = hub_db_column_int64 (stmt, 1);
      *last_stored_us = stored;
      if (stored > *max_stored_us)
        *max_stored_us = stored;
      g_ptr_array_add (out, g_strdup (hub_db_column_text (stmt, 2)));
    }
  hub_db_reset (stmt);
  return error == NULL || *error == NULL;
}

char *
hub_store_statement_get (HubDb       *db,
                         const char  *id,
                         gboolean     voided,
                         gboolean     all_orgs,
                         gint64       org_id,
                         gint64      *stored_us,
                         GError     **error)
{
  HubDbStmt *stmt;
  g_autofree char *lower = g_ascii_strdown (id, -1);
  char *json = NULL;

  if (all_orgs)
    stmt = hub_db_prepare (db, "SELECT json, stored_us FROM statements WHERE id = $1 AND voided = $2", error);
  else
    stmt = hub_db_prepare (db, "SELECT json, stored_us FROM statements WHERE id = $1 AND voided = $2 AND org_id = $3",
                           error);
  if (stmt == NULL)
    return NULL;
  hub_db_bind_text (stmt, 1, lower);
  hub_db_bind_int64 (stmt, 2, voided ? 1 : 0);
  if (!all_orgs)
    hub_db_bind_int64 (stmt, 3, org_id);
  if (hub_db_step (stmt, error))
    {
      json = g_strdup (hub_db_column_text (stmt, 0));
      if (stored_us != NULL)
        *stored_us = hub_db_column_int64 (stmt, 1);
    }
  hub_db_reset (stmt);
  return json;
}

GBytes *
hub_store_attachment_get (HubDb       *db,
                          const char  *sha2,
                          char       **content_type,
                          GError     **error)
{
  HubDbStmt *stmt;
  GBytes *body = NULL;

  stmt = hub_db_prepare (db, "SELECT content_type, body FROM attachments WHERE sha2 = $1", error);
  if (stmt == NULL)
    return NULL;
  hub_db_bind_text (stmt, 1, sha2);
  if (hub_db_step (stmt, error))
    {
      gsize size = 0;
      const void *data = hub_db_column_blob (stmt, 1, &size);

      if (content_type != NULL)
        *content_type = g_strdup (hub_db_column_text (stmt, 0));
      body = g_bytes_new (data, size);
    }
  hub_db_reset (stmt);
  return body;
}
