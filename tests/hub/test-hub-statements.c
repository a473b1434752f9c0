/* test-hub-statements.c — the xAPI Statement resource of a real shuyuan-hub
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One hub process per test program (on the engine under test), shared by the tests; each
 * test makes its own verbs, activities and agents from a fresh UUID so that the tests do not
 * see each other's statements. The last test restarts the hub on the same storage.
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "hub-store-statements.h"
#include "hub-test-util.h"

typedef json_object TestJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestJson, json_object_put)

static HubTestHub *the_hub;
static char *kept_id;   /* a statement the restart test looks for */

static HubTestHub *
get_hub (void)
{
  if (the_hub == NULL)
    the_hub = hub_test_hub_start (NULL, NULL, NULL);
  return the_hub;
}

static char *
uuid (void)
{
  return g_uuid_string_random ();
}

/* A statement as JSON text. @id may be NULL; @extra is more members ("" for none), e.g.
 * ",\"context\":{…}". */
static char *
statement (const char *id,
           const char *actor_mbox,
           const char *verb,
           const char *activity,
           const char *extra)
{
  GString *s = g_string_new ("{");

  if (id != NULL)
    g_string_append_printf (s, "\"id\":\"%s\",", id);
  g_string_append_printf (s,
                          "\"actor\":{\"objectType\":\"Agent\",\"name\":\"Tester\",\"mbox\":\"mailto:%s\"},"
                          "\"verb\":{\"id\":\"%s\",\"display\":{\"en-US\":\"did\",\"en-GB\":\"did (GB)\"}},"
                          "\"object\":{\"objectType\":\"Activity\",\"id\":\"%s\","
                          "\"definition\":{\"name\":{\"en-US\":\"Lesson\",\"fr\":\"Leçon\"}}}%s}",
                          actor_mbox, verb, activity, extra != NULL ? extra : "");
  return g_string_free (s, FALSE);
}

static HubTestResponse *
post (const char *body)
{
  return hub_test_admin (get_hub (), "POST", "/xapi/statements", body);
}

static HubTestResponse *
get (const char *path_and_query)
{
  return hub_test_admin (get_hub (), "GET", path_and_query, NULL);
}

static char *
query_path (const char *first_name,
            ...)
{
  GString *s = g_string_new ("/xapi/statements");
  const char *name = first_name;
  gboolean first = TRUE;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

      g_string_append_printf (s, "%s%s=%s", first ? "?" : "&", name, escaped);
      first = FALSE;
      name = va_arg (args, const char *);
    }
  va_end (args);
  return g_string_free (s, FALSE);
}

static const char *
jstr (json_object *obj,
      const char  *path)
{
  g_auto(GStrv) keys = g_strsplit (path, ".", -1);
  json_object *cur = obj;
  guint i;

  for (i = 0; keys[i] != NULL; i++)
    {
      if (cur == NULL || !json_object_object_get_ex (cur, keys[i], &cur))
        return NULL;
    }
  return cur != NULL && json_object_is_type (cur, json_type_string) ? json_object_get_string (cur) : NULL;
}

/* The ids of a StatementResult, in order, as one comma-separated string. */
static char *
result_ids (HubTestResponse *resp)
{
  json_object *statements;
  GString *s = g_string_new ("");
  size_t i;

  g_assert_nonnull (resp->json);
  g_assert_true (json_object_object_get_ex (resp->json, "statements", &statements));
  for (i = 0; i < json_object_array_length (statements); i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, jstr (json_object_array_get_idx (statements, i), "id"));
    }
  return g_string_free (s, FALSE);
}

static void
assert_message_contains (HubTestResponse *resp,
                         const char      *fragment)
{
  const char *message = resp->json != NULL ? jstr (resp->json, "error.message") : NULL;

  if (message == NULL || strstr (message, fragment) == NULL)
    g_error ("expected an error message containing \"%s\", got: %s", fragment, resp->text);
}

/* ---- unit: pure functions ---- */

static void
test_unit_equal (void)
{
  g_autoptr(TestJson) a = json_tokener_parse ("{\"id\":\"x\",\"actor\":{\"mbox\":\"mailto:a@b\",\"name\":\"A\"},"
                                              "\"stored\":\"2020-01-01T00:00:00Z\",\"version\":\"1.0.0\"}");
  g_autoptr(TestJson) b = json_tokener_parse ("{\"actor\":{\"name\":\"A\",\"mbox\":\"mailto:a@b\"},\"id\":\"x\","
                                              "\"authority\":{\"mbox\":\"mailto:z@z\"}}");
  g_autoptr(TestJson) c = json_tokener_parse ("{\"actor\":{\"name\":\"B\",\"mbox\":\"mailto:a@b\"},\"id\":\"x\"}");

  g_assert_true (hub_statements_equal (a, b));
  g_assert_false (hub_statements_equal (a, c));
}

static void
test_unit_index (void)
{
  g_autoptr(TestJson) s = json_tokener_parse (
    "{\"id\":\"x\",\"actor\":{\"objectType\":\"Group\",\"mbox\":\"mailto:g@x\","
    "\"member\":[{\"mbox\":\"mailto:m@x\"}]},"
    "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/voided\"},"
    "\"object\":{\"objectType\":\"StatementRef\",\"id\":\"AAAAAAAA-0000-4000-8000-000000000000\"},"
    "\"context\":{\"registration\":\"BBBBBBBB-0000-4000-8000-000000000000\","
    "\"instructor\":{\"account\":{\"homePage\":\"http://h\",\"name\":\"n\"}},"
    "\"contextActivities\":{\"parent\":[{\"id\":\"http://a/p\"}],\"other\":{\"id\":\"http://a/o\"}}}}");
  HubStatementRow *row = hub_statement_row_new ();
  guint i;
  gboolean member = FALSE, instructor = FALSE;

  hub_statement_row_index (row, s);
  g_assert_true (row->is_voiding);
  g_assert_cmpstr (row->ref_id, ==, "aaaaaaaa-0000-4000-8000-000000000000");
  g_assert_cmpstr (row->registration, ==, "bbbbbbbb-0000-4000-8000-000000000000");
  g_assert_cmpstr (row->actor_key, ==, "mbox:mailto:g@x");
  g_assert_null (row->learner);
  for (i = 0; i < row->agents->len; i++)
    {
      HubStatementLink *link = &g_array_index (row->agents, HubStatementLink, i);
      if (g_str_equal (link->key, "mbox:mailto:m@x"))
        member = link->relation == HUB_REL_ACTOR;
      if (g_str_equal (link->key, "account:http://h|n"))
        instructor = link->relation == HUB_REL_OTHER;
    }
  g_assert_true (member);
  g_assert_true (instructor);
  g_assert_cmpuint (row->activities->len, ==, 2);
  hub_statement_row_free (row);
}

/* ---- through a hub ---- */

static void
test_round_trip (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
  g_autofree char *body = statement (id, "rt@example.com", verb, "http://example.com/act/rt", "");
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autoptr(HubTestResponse) put = NULL;
  g_autoptr(HubTestResponse) got = NULL;
  g_autoptr(HubTestResponse) posted = NULL;
  g_autofree char *two = NULL;
  g_autofree char *one = NULL, *other = NULL;
  const char *version, *through;
  json_object *ids;
  guint i;

  put = hub_test_admin (get_hub (), "PUT", path, body);
  hub_test_assert_status (put, 204);
  version = soup_message_headers_get_one (put->headers, "X-Experience-API-Version");
  g_assert_cmpstr (version, ==, "1.0.3");

  got = get (path);
  hub_test_assert_status (got, 200);
  g_assert_cmpstr (jstr (got->json, "id"), ==, id);
  g_assert_nonnull (jstr (got->json, "stored"));
  g_assert_cmpstr (jstr (got->json, "version"), ==, "1.0.0");
  g_assert_nonnull (jstr (got->json, "authority.account.homePage"));
  g_assert_cmpstr (jstr (got->json, "authority.account.name"), ==, "admin");
  through = soup_message_headers_get_one (got->headers, "X-Experience-API-Consistent-Through");
  g_assert_nonnull (through);
  g_assert_nonnull (soup_message_headers_get_one (got->headers, "Last-Modified"));
  g_assert_cmpstr (soup_message_headers_get_one (got->headers, "X-Experience-API-Version"), ==, "1.0.3");
  kept_id = g_strdup (id);

  /* POST an array without ids: ids made, in order */
  one = statement (NULL, "rt1@example.com", verb, "http://example.com/act/rt", "");
  other = statement (NULL, "rt2@example.com", verb, "http://example.com/act/rt", ",\"version\":\"1.0.2\"");
  two = g_strdup_printf ("[%s,%s]", one, other);
  posted = post (two);
  hub_test_assert_status (posted, 200);
  g_assert_true (json_object_is_type (posted->json, json_type_array));
  ids = posted->json;
  g_assert_cmpuint (json_object_array_length (ids), ==, 2);
  for (i = 0; i < 2; i++)
    {
      const char *made = json_object_get_string (json_object_array_get_idx (ids, i));
      g_autofree char *p = g_strdup_printf ("/xapi/statements?statementId=%s", made);
      g_autoptr(HubTestResponse) r = get (p);

      g_assert_true (g_uuid_string_is_valid (made));
      g_assert_cmpint (made[14], ==, '4');
      hub_test_assert_status (r, 200);
      g_assert_cmpstr (jstr (r->json, "actor.mbox"), ==, i == 0 ? "mailto:rt1@example.com" : "mailto:rt2@example.com");
      g_assert_cmpstr (jstr (r->json, "version"), ==, i == 0 ? "1.0.0" : "1.0.2");
    }
}

static void
test_idempotent_and_conflict (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
  g_autofree char *body = statement (id, "idem@example.com", verb, "http://example.com/act/idem", "");
  g_autofree char *reordered = NULL;
  g_autofree char *changed = statement (id, "idem@example.com", verb, "http://example.com/act/other", "");
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autofree char *list = query_path ("verb", verb, NULL);
  g_autoptr(HubTestResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL;
  g_autoptr(TestJson) parsed = NULL;
  g_autofree char *ids = NULL;

  r1 = hub_test_admin (get_hub (), "PUT", path, body);
  hub_test_assert_status (r1, 204);
  r2 = hub_test_admin (get_hub (), "PUT", path, body);
  hub_test_assert_status (r2, 204);
  /* the same statement with its keys in another order, and with a stored the hub ignores */
  parsed = json_tokener_parse (body);
  json_object_object_add (parsed, "stored", json_object_new_string ("2001-01-01T00:00:00Z"));
  reordered = g_strdup_printf ("[%s]", json_object_to_json_string_ext (parsed, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_PRETTY));
  r3 = post (reordered);
  hub_test_assert_status (r3, 200);
  r4 = hub_test_admin (get_hub (), "PUT", path, changed);
  hub_test_assert_status (r4, 409);
  assert_message_contains (r4, id);
  r5 = get (list);
  hub_test_assert_status (r5, 200);
  ids = result_ids (r5);
  g_assert_cmpstr (ids, ==, id);
  r6 = get (path);
  g_assert_cmpstr (jstr (r6->json, "object.id"), ==, "http://example.com/act/idem");
}

static void
test_batch_all_or_nothing (void)
{
  g_autofree char *id1 = uuid (), *id2 = uuid (), *id3 = uuid ();
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
  g_autofree char *s1 = statement (id1, "b1@example.com", verb, "http://example.com/act/b", "");
  g_autofree char *s2 = statement (id2, "b2@example.com", verb, "http://example.com/act/b", "");
  g_autofree char *s3 = statement (id3, "b3@example.com", verb, "http://example.com/act/b", "");
  g_autofree char *s3b = statement (id3, "b3@example.com", verb, "http://example.com/act/changed", "");
  g_autofree char *dup = g_strdup_printf ("[%s,%s,%s]", s1, s2, s1);
  g_autofree char *conflicting = g_strdup_printf ("[%s,%s]", s2, s3b);
  g_autofree char *list = query_path ("verb", verb, NULL);
  g_autoptr(HubTestResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;
  g_autofree char *ids = NULL;

  r1 = post (dup);
  hub_test_assert_status (r1, 400);
  assert_message_contains (r1, "twice");
  r2 = get (list);
  hub_test_assert_status (r2, 200);
  ids = result_ids (r2);
  g_assert_cmpstr (ids, ==, "");

  r3 = post (s3);
  hub_test_assert_status (r3, 200);
  /* the conflict on s3 rolls back s2 too */
  r4 = post (conflicting);
  hub_test_assert_status (r4, 409);
  r5 = get (list);
  g_free (ids);
  ids = result_ids (r5);
  g_assert_cmpstr (ids, ==, id3);
}

/* Several requests at once share the writer's transactions, which answers each of them:
 * one batch refused (409) must leave the others written, and itself nothing, and each
 * request gets its own answer (its ids, in order). Each thread has its own session. */
typedef struct
{
  const char *url;
  const char *auth;
  char       *body;
  GPtrArray  *ids;         /* sent, in order */
  guint       rounds;
  guint       status[4];
  gboolean    answer_ok[4];
} ConcurrentPost;

/* The answer to a POST is the array of the ids sent, in order. */
static gboolean
answer_has_ids (GBytes    *response,
                GPtrArray *ids)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
  json_object *array = json_tokener_parse (text);
  gboolean ok = array != NULL && json_object_is_type (array, json_type_array)
                && json_object_array_length (array) == ids->len;

  for (guint i = 0; ok && i < ids->len; i++)
    ok = g_strcmp0 (json_object_get_string (json_object_array_get_idx (array, i)),
                    g_ptr_array_index (ids, i)) == 0;
  json_object_put (array);
  return ok;
}

static gpointer
concurrent_post_thread (gpointer data)
{
  ConcurrentPost *cp = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  for (guint i = 0; i < cp->rounds; i++)
    {
      g_autoptr(GBytes) response = NULL;
      g_autoptr(SoupMessage) msg = hub_test_post_json (session, cp->url, cp->auth, cp->body, -1,
                                                       NULL, &response);

      cp->status[i] = soup_message_get_status (msg);
      cp->answer_ok[i] = response != NULL && answer_has_ids (response, cp->ids);
    }
  return NULL;
}

static void
test_concurrent_batches (void)
{
  enum { N_THREADS = 6, ROUNDS = 3, PER_BATCH = 20 };
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
  g_autofree char *taken = uuid ();
  g_autofree char *taken_body = statement (taken, "taken@example.com", verb, "http://example.com/act/c", "");
  g_autofree char *url = g_strconcat (get_hub ()->url, "/xapi/statements", NULL);
  g_autofree char *list = NULL;
  g_autoptr(HubTestResponse) r0 = NULL, r1 = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ConcurrentPost posts[N_THREADS];
  GThread *threads[N_THREADS];
  g_autofree char *ids = NULL;
  g_auto(GStrv) found = NULL;
  guint i, j;

  r0 = post (taken_body);
  hub_test_assert_status (r0, 200);
  g_hash_table_add (expected, g_strdup (taken));
  for (i = 0; i < N_THREADS; i++)
    {
      GString *body = g_string_new ("[");
      GPtrArray *sent = g_ptr_array_new_with_free_func (g_free);

      for (j = 0; j < PER_BATCH; j++)
        {
          g_autofree char *id = uuid ();
          g_autofree char *mbox = g_strdup_printf ("c%u-%u@example.com", i, j);
          g_autofree char *one = NULL;

          /* thread 0 sends a different statement with an id already taken, last */
          if (i == 0 && j == PER_BATCH - 1)
            one = statement (taken, "taken@example.com", verb, "http://example.com/act/changed", "");
          else
            one = statement (id, mbox, verb, "http://example.com/act/c", "");
          g_string_append_printf (body, "%s%s", j > 0 ? "," : "", one);
          g_ptr_array_add (sent, g_strdup (i == 0 && j == PER_BATCH - 1 ? taken : id));
          if (i == 0 && j < PER_BATCH - 1)
            g_hash_table_add (refused, g_strdup (id));
          else if (i != 0)
            g_hash_table_add (expected, g_strdup (id));
        }
      g_string_append_c (body, ']');
      posts[i] = (ConcurrentPost) { url, get_hub ()->admin, g_string_free (body, FALSE), sent, ROUNDS,
                                    { 0 }, { 0 } };
    }
  for (i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("post", concurrent_post_thread, &posts[i]);
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  for (i = 0; i < N_THREADS; i++)
    {
      /* re-sending an identical batch is accepted */
      for (j = 0; j < ROUNDS; j++)
        {
          g_assert_cmpuint (posts[i].status[j], ==, i == 0 ? 409 : 200);
          g_assert_true (posts[i].answer_ok[j] == (i != 0));
        }
      g_free (posts[i].body);
      g_ptr_array_unref (posts[i].ids);
    }

  list = query_path ("verb", verb, "limit", "500", NULL);
  r1 = get (list);
  hub_test_assert_status (r1, 200);
  ids = result_ids (r1);
  found = g_strsplit (ids, ",", -1);
  g_assert_cmpuint (g_strv_length (found), ==, g_hash_table_size (expected));
  for (i = 0; found[i] != NULL; i++)
    {
      g_assert_true (g_hash_table_contains (expected, found[i]));
      g_assert_false (g_hash_table_contains (refused, found[i]));
    }
}

/* SQLite: under a steady stream of batches the WAL stays near its limit (here 1 MiB, set
 * for this hub) instead of growing for as long as statements come; 4 clients keep the
 * writer busy with 16,000 statements, which write about 50 MiB into the WAL. */
typedef struct
{
  const char *url;
  const char *auth;
  guint       rounds;
  guint       failures;
  char       *last_id;
} SteadyPost;

static gpointer
steady_post_thread (gpointer data)
{
  enum { PER_BATCH = 100 };
  SteadyPost *sp = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  for (guint i = 0; i < sp->rounds; i++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) response = NULL;
      g_autoptr(GString) body = g_string_new ("[");

      for (guint j = 0; j < PER_BATCH; j++)
        {
          g_autofree char *mbox = g_strdup_printf ("steady-%u@example.com", j);
          g_autofree char *one = NULL;

          g_free (sp->last_id);
          sp->last_id = uuid ();
          one = statement (sp->last_id, mbox, "http://example.com/verbs/steady",
                           "http://example.com/act/steady", "");
          g_string_append_printf (body, "%s%s", j > 0 ? "," : "", one);
        }
      g_string_append_c (body, ']');
      msg = hub_test_post_json (session, sp->url, sp->auth, body->str, body->len, NULL, &response);
      if (soup_message_get_status (msg) != 200)
        sp->failures++;
    }
  return NULL;
}

static void
test_wal_bounded (void)
{
  enum { N_THREADS = 4, ROUNDS = 40 };
  HubTestHub *hub;
  g_autofree char *url = NULL, *wal = NULL;
  SteadyPost posts[N_THREADS];
  GThread *threads[N_THREADS];
  GStatBuf st;
  guint i;

  g_setenv ("SHUYUAN_HUB_WAL_LIMIT_BYTES", "1048576", TRUE);
  hub = hub_test_hub_start (NULL, NULL, NULL);
  g_unsetenv ("SHUYUAN_HUB_WAL_LIMIT_BYTES");
  url = g_strconcat (hub->url, "/xapi/statements", NULL);
  wal = g_build_filename (hub->target, "hub.sqlite-wal", NULL);

  for (i = 0; i < N_THREADS; i++)
    {
      posts[i] = (SteadyPost) { url, hub->admin, ROUNDS, 0, NULL };
      threads[i] = g_thread_new ("post", steady_post_thread, &posts[i]);
    }
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  /* the file's size is the furthest the WAL ever reached (it only shrinks past the
   * journal size limit, 64 MiB) */
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_test_message ("WAL file: %.1f MiB", st.st_size / 1048576.0);
  g_assert_cmpint (st.st_size, <, 12 * 1024 * 1024);
  for (i = 0; i < N_THREADS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", posts[i].last_id);
      g_autoptr(HubTestResponse) r = hub_test_admin (hub, "GET", path, NULL);

      g_assert_cmpuint (posts[i].failures, ==, 0);
      hub_test_assert_status (r, 200);
      g_free (posts[i].last_id);
    }
  hub_test_hub_stop (hub);
}

static void
test_validation (void)
{
  static const struct
  {
    const char *body;
    const char *fragment;
  } cases[] = {
    { "{\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"}}", "actor" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"not an iri\"},\"object\":{\"id\":\"http://e.com/a\"}}", "verb.id" },
    { "{\"actor\":{\"mbox\":\"a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"}}", "actor.mbox" },
    { "{\"id\":\"not-a-uuid\",\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"}}", "id" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"},\"timestamp\":\"yesterday\"}", "timestamp" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"},\"result\":{\"duration\":\"PT1X\"}}", "result.duration" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"},\"bogus\":1}", "bogus" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"},\"context\":{\"registration\":\"nope\"}}", "registration" },
    { "{\"actor\":", "malformed JSON" },
    { "{\"actor\":{}} trailing", "malformed JSON" },
    { "[1]", "statement" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\"},\"context\":{\"language\":\"something\"}}", "context.language" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"objectType\":\"StatementRef\",\"id\":\"6f0a1c4e-2b3d-4e5f-8a9b-0c1d2e3f4a5b\"},\"context\":{\"revision\":\"2\"}}", "context.revision" },
    { "{\"actor\":{\"mbox\":\"mailto:a@b.c\"},\"verb\":{\"id\":\"http://e.com/v\"},\"object\":{\"id\":\"http://e.com/a\",\"definition\":{\"correctResponsesPattern\":[\"a\"]}}}", "interactionType" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HubTestResponse) r = post (cases[i].body);

      hub_test_assert_status (r, 400);
      assert_message_contains (r, cases[i].fragment);
    }

  /* PUT: statementId needed, must match the body's id */
  {
    g_autofree char *id = uuid (), *other = uuid ();
    g_autofree char *body = statement (id, "v@example.com", "http://e.com/v", "http://e.com/a", "");
    g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", other);
    g_autoptr(HubTestResponse) r1 = hub_test_admin (get_hub (), "PUT", "/xapi/statements", body);
    g_autoptr(HubTestResponse) r2 = hub_test_admin (get_hub (), "PUT", path, body);
    g_autoptr(HubTestResponse) r3 = get ("/xapi/statements?bogus=1");
    g_autoptr(HubTestResponse) r4 = get ("/xapi/statements?since=notatime");
    g_autoptr(HubTestResponse) r5 = get ("/xapi/statements?agent=%7Bnot%20json");
    g_autoptr(HubTestResponse) r6 = get ("/xapi/statements?statementId=123");
    g_autoptr(HubTestResponse) r7 = NULL;
    g_autofree char *p7 = g_strdup_printf ("/xapi/statements?statementId=%s&verb=http://e.com/v", id);
    g_autoptr(HubTestResponse) r8 = hub_test_request (get_hub (), "POST", "/xapi/statements", the_hub->admin,
                                                       "text/plain", body, -1, NULL, NULL);

    hub_test_assert_status (r1, 400);
    assert_message_contains (r1, "statementId");
    hub_test_assert_status (r2, 400);
    assert_message_contains (r2, "differs");
    hub_test_assert_status (r3, 400);
    assert_message_contains (r3, "bogus");
    hub_test_assert_status (r4, 400);
    assert_message_contains (r4, "since");
    hub_test_assert_status (r5, 400);
    assert_message_contains (r5, "agent");
    hub_test_assert_status (r6, 400);
    r7 = get (p7);
    hub_test_assert_status (r7, 400);
    hub_test_assert_status (r8, 400);
    g_assert_nonnull (soup_message_headers_get_one (r4->headers, "X-Experience-API-Consistent-Through"));
  }
}

static char *
stored_of (const char *id)
{
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autoptr(HubTestResponse) r = get (path);

  hub_test_assert_status (r, 200);
  return g_strdup (jstr (r->json, "stored"));
}

static void
assert_query (const char *expected,
              const char *first_name,
              ...)
{
  GString *s = g_string_new ("/xapi/statements");
  const char *name = first_name;
  gboolean first = TRUE;
  g_autoptr(HubTestResponse) r = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

      g_string_append_printf (s, "%s%s=%s", first ? "?" : "&", name, escaped);
      first = FALSE;
      name = va_arg (args, const char *);
    }
  va_end (args);
  path = g_string_free (s, FALSE);
  r = get (path);
  hub_test_assert_status (r, 200);
  ids = result_ids (r);
  if (g_strcmp0 (ids, expected) != 0)
    g_error ("GET %s: expected [%s], got [%s]", path, expected, ids);
}

static void
test_filters (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *verb1 = g_strdup_printf ("http://example.com/verbs/one/%s", tag);
  g_autofree char *verb2 = g_strdup_printf ("http://example.com/verbs/two/%s", tag);
  g_autofree char *act1 = g_strdup_printf ("http://example.com/act/one/%s", tag);
  g_autofree char *act2 = g_strdup_printf ("http://example.com/act/two/%s", tag);
  g_autofree char *mbox_x = g_strdup_printf ("x-%s@example.com", tag);
  g_autofree char *mbox_y = g_strdup_printf ("y-%s@example.com", tag);
  g_autofree char *agent_x = g_strdup_printf ("{\"mbox\":\"mailto:%s\"}", mbox_x);
  g_autofree char *reg = uuid ();
  g_autofree char *ida = uuid (), *idb = uuid (), *idc = uuid ();
  g_autofree char *extra_a = g_strdup_printf (",\"context\":{\"registration\":\"%s\"}", reg);
  g_autofree char *extra_b = g_strdup_printf (",\"context\":{\"instructor\":{\"mbox\":\"mailto:%s\"},"
                                              "\"contextActivities\":{\"parent\":{\"id\":\"%s\"}}}", mbox_x, act1);
  g_autofree char *sa = statement (ida, mbox_x, verb1, act1, extra_a);
  g_autofree char *sb = statement (idb, mbox_y, verb2, act2, extra_b);
  g_autofree char *sc = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:%s\"},\"verb\":{\"id\":\"%s\"},"
                                         "\"object\":{\"objectType\":\"Agent\",\"mbox\":\"mailto:%s\"}}",
                                         idc, mbox_y, verb2, mbox_x);
  g_autofree char *ab = NULL, *bc = NULL, *cba = NULL, *ca = NULL, *abc = NULL;
  g_autofree char *stored_a = NULL, *stored_b = NULL, *stored_c = NULL;
  g_autoptr(HubTestResponse) r1 = NULL, r2 = NULL, r3 = NULL;

  /* three requests, so three distinct stored times in order A < B < C */
  r1 = post (sa);
  hub_test_assert_status (r1, 200);
  r2 = post (sb);
  hub_test_assert_status (r2, 200);
  r3 = post (sc);
  hub_test_assert_status (r3, 200);
  stored_a = stored_of (ida);
  stored_b = stored_of (idb);
  stored_c = stored_of (idc);
  g_assert_cmpstr (stored_a, <, stored_b);
  g_assert_cmpstr (stored_b, <, stored_c);

  ca = g_strdup_printf ("%s,%s", idc, ida);
  cba = g_strdup_printf ("%s,%s,%s", idc, idb, ida);
  abc = g_strdup_printf ("%s,%s,%s", ida, idb, idc);
  bc = g_strdup_printf ("%s,%s", idc, idb);
  ab = g_strdup_printf ("%s,%s", idb, ida);

  assert_query (ida, "verb", verb1, NULL);
  assert_query (bc, "verb", verb2, NULL);
  assert_query (ca, "agent", agent_x, NULL);
  assert_query (cba, "agent", agent_x, "related_agents", "true", NULL);
  assert_query (ida, "activity", act1, NULL);
  assert_query (ab, "activity", act1, "related_activities", "true", NULL);
  assert_query (ida, "registration", reg, NULL);
  assert_query (ida, "agent", agent_x, "verb", verb1, NULL);
  assert_query ("", "agent", agent_x, "verb", verb1, "activity", act2, NULL);
  /* since is exclusive, until inclusive */
  assert_query (bc, "agent", agent_x, "related_agents", "true", "since", stored_a, NULL);
  assert_query (ab, "agent", agent_x, "related_agents", "true", "until", stored_b, NULL);
  assert_query (idb, "agent", agent_x, "related_agents", "true", "since", stored_a, "until", stored_b, NULL);
  assert_query (abc, "agent", agent_x, "related_agents", "true", "ascending", "true", NULL);
  assert_query (idc, "agent", agent_x, "related_agents", "true", "limit", "1", NULL);

  /* a Group actor whose member is the agent matches without related_agents */
  {
    g_autofree char *idd = uuid ();
    g_autofree char *mbox_z = g_strdup_printf ("z-%s@example.com", tag);
    g_autofree char *agent_z = g_strdup_printf ("{\"mbox\":\"mailto:%s\"}", mbox_z);
    g_autofree char *sd = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"objectType\":\"Group\",\"member\":["
                                           "{\"mbox\":\"mailto:%s\"}]},\"verb\":{\"id\":\"%s\"},"
                                           "\"object\":{\"id\":\"%s\"}}", idd, mbox_z, verb2, act2);
    g_autoptr(HubTestResponse) r4 = post (sd);

    hub_test_assert_status (r4, 200);
    assert_query (idd, "agent", agent_z, NULL);
  }
}

static void
test_paging (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/paging/%s", tag);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = NULL;
  guint batch, i, pages = 0, extra = 0;

  for (batch = 0; batch < 10; batch++)
    {
      GString *body = g_string_new ("[");
      g_autoptr(HubTestResponse) r = NULL;

      for (i = 0; i < 100; i++)
        {
          g_autofree char *id = uuid ();
          g_autofree char *s = statement (id, "pager@example.com", verb, "http://example.com/act/page", "");

          g_string_append_printf (body, "%s%s", i > 0 ? "," : "", s);
          g_hash_table_add (expected, g_steal_pointer (&id));
        }
      g_string_append (body, "]");
      r = post (body->str);
      hub_test_assert_status (r, 200);
      g_string_free (body, TRUE);
    }

  path = query_path ("verb", verb, "limit", "70", NULL);
  while (path != NULL && pages < 100)
    {
      g_autoptr(HubTestResponse) r = get (path);
      json_object *statements;
      const char *more;
      g_autofree char *id = uuid ();
      g_autofree char *s = statement (id, "pager@example.com", verb, "http://example.com/act/page", "");
      g_autoptr(HubTestResponse) ins = NULL;

      hub_test_assert_status (r, 200);
      g_assert_true (json_object_object_get_ex (r->json, "statements", &statements));
      g_assert_cmpuint (json_object_array_length (statements), <=, 70);
      for (i = 0; i < json_object_array_length (statements); i++)
        {
          const char *sid = jstr (json_object_array_get_idx (statements, i), "id");

          g_assert_false (g_hash_table_contains (seen, sid));
          g_hash_table_add (seen, g_strdup (sid));
          if (!g_hash_table_contains (expected, sid))
            extra++;
        }
      /* a statement arrives between pages: it must not shift the pages */
      ins = post (s);
      hub_test_assert_status (ins, 200);
      more = jstr (r->json, "more");
      g_assert_nonnull (more);
      g_free (path);
      path = *more != '\0' ? g_strdup (more) : NULL;
      if (path != NULL)
        g_assert_true (g_str_has_prefix (path, "/xapi/statements?"));
      pages++;
    }
  g_assert_null (path);
  g_assert_cmpuint (pages, ==, 15);
  g_assert_cmpuint (extra, ==, 0);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_assert_true (g_hash_table_contains (seen, key));
  }

  /* a more link needs credentials */
  {
    g_autofree char *first = query_path ("verb", verb, "limit", "5", NULL);
    g_autoptr(HubTestResponse) r = get (first);
    const char *more = jstr (r->json, "more");
    g_autoptr(HubTestResponse) anon = hub_test_request (get_hub (), "GET", more, NULL, NULL, NULL, 0, NULL, NULL);
    g_autofree char *mixed = g_strdup_printf ("%s&verb=x", more);
    g_autoptr(HubTestResponse) bad = get (mixed);

    hub_test_assert_status (anon, 401);
    hub_test_assert_status (bad, 400);
  }
}

static void
test_voiding (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/void/%s", tag);
  g_autofree char *target = uuid (), *voiding = uuid (), *ref = uuid (), *late = uuid (), *void_late = uuid ();
  g_autofree char *s_target = statement (target, "void@example.com", verb, "http://example.com/act/v", "");
  g_autofree char *s_voiding = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:void@example.com\"},"
                                                "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/voided\"},"
                                                "\"object\":{\"objectType\":\"StatementRef\",\"id\":\"%s\"}}",
                                                voiding, target);
  g_autofree char *s_ref = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:void@example.com\"},"
                                            "\"verb\":{\"id\":\"http://example.com/verbs/mentions\"},"
                                            "\"object\":{\"objectType\":\"StatementRef\",\"id\":\"%s\"}}",
                                            ref, target);
  g_autofree char *s_void_voiding = g_strdup_printf ("{\"actor\":{\"mbox\":\"mailto:void@example.com\"},"
                                                     "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/voided\"},"
                                                     "\"object\":{\"objectType\":\"StatementRef\",\"id\":\"%s\"}}",
                                                     voiding);
  g_autofree char *s_void_late = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:void@example.com\"},"
                                                  "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/voided\"},"
                                                  "\"object\":{\"objectType\":\"StatementRef\",\"id\":\"%s\"}}",
                                                  void_late, late);
  g_autofree char *s_late = statement (late, "void@example.com", verb, "http://example.com/act/v", "");
  g_autofree char *by_id = g_strdup_printf ("/xapi/statements?statementId=%s", target);
  g_autofree char *by_voided = g_strdup_printf ("/xapi/statements?voidedStatementId=%s", target);
  g_autofree char *voiding_by_voided = g_strdup_printf ("/xapi/statements?voidedStatementId=%s", voiding);
  g_autofree char *voiding_by_id = g_strdup_printf ("/xapi/statements?statementId=%s", voiding);
  g_autofree char *late_by_id = g_strdup_printf ("/xapi/statements?statementId=%s", late);
  g_autofree char *late_by_voided = g_strdup_printf ("/xapi/statements?voidedStatementId=%s", late);
  g_autofree char *expected = g_strdup_printf ("%s,%s", ref, voiding);
  HubTestResponse *r[12] = { NULL };
  guint i;

  r[0] = post (s_target);
  hub_test_assert_status (r[0], 200);
  r[1] = post (s_voiding);
  hub_test_assert_status (r[1], 200);
  r[2] = get (by_id);
  hub_test_assert_status (r[2], 404);
  r[3] = get (by_voided);
  hub_test_assert_status (r[3], 200);
  g_assert_cmpstr (jstr (r[3]->json, "id"), ==, target);
  r[4] = get (voiding_by_voided);
  hub_test_assert_status (r[4], 404);
  /* a voiding statement cannot be voided */
  r[5] = post (s_void_voiding);
  r[6] = get (voiding_by_id);
  hub_test_assert_status (r[6], 200);
  /* a statement referring to the voided one; the query brings it and the voiding statement */
  r[7] = post (s_ref);
  hub_test_assert_status (r[7], 200);
  {
    g_autofree char *q = query_path ("verb", verb, NULL);
    g_autoptr(HubTestResponse) list = get (q);
    g_autofree char *ids = result_ids (list);

    g_assert_cmpstr (ids, ==, expected);
  }
  /* voiding a statement the hub has not seen yet */
  r[8] = post (s_void_late);
  hub_test_assert_status (r[8], 200);
  r[9] = post (s_late);
  hub_test_assert_status (r[9], 200);
  r[10] = get (late_by_id);
  hub_test_assert_status (r[10], 404);
  r[11] = get (late_by_voided);
  hub_test_assert_status (r[11], 200);
  for (i = 0; i < G_N_ELEMENTS (r); i++)
    g_clear_pointer (&r[i], hub_test_response_free);
}

static void
test_formats (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *extra = g_strdup (",\"context\":{\"contextActivities\":{\"category\":{\"id\":\"http://example.com/cat\","
                                     "\"definition\":{\"name\":{\"en-US\":\"Cat\",\"en-GB\":\"Cat (GB)\"}}}}}");
  g_autofree char *body = statement (id, "fmt@example.com", "http://example.com/verbs/fmt", "http://example.com/act/fmt", extra);
  g_autofree char *ids_path = g_strdup_printf ("/xapi/statements?statementId=%s&format=ids", id);
  g_autofree char *canon_path = g_strdup_printf ("/xapi/statements?statementId=%s&format=canonical", id);
  g_autofree char *exact_path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autoptr(HubTestResponse) r0 = post (body);
  g_autoptr(HubTestResponse) ids = get (ids_path);
  g_autoptr(HubTestResponse) canon = hub_test_request (get_hub (), "GET", canon_path, the_hub->admin, NULL, NULL, 0,
                                                       "Accept-Language", "en-GB", NULL);
  g_autoptr(HubTestResponse) exact = hub_test_request (get_hub (), "GET", exact_path, the_hub->admin, NULL, NULL, 0,
                                                       "Accept-Language", "en-GB", NULL);
  json_object *category;

  hub_test_assert_status (r0, 200);
  hub_test_assert_status (ids, 200);
  g_assert_null (jstr (ids->json, "actor.name"));
  g_assert_cmpstr (jstr (ids->json, "actor.mbox"), ==, "mailto:fmt@example.com");
  g_assert_null (jstr (ids->json, "object.definition.name.en-US"));
  g_assert_cmpstr (jstr (ids->json, "object.id"), ==, "http://example.com/act/fmt");
  g_assert_null (jstr (ids->json, "verb.display.en-US"));

  hub_test_assert_status (canon, 200);
  g_assert_cmpstr (jstr (canon->json, "verb.display.en-GB"), ==, "did (GB)");
  g_assert_null (jstr (canon->json, "verb.display.en-US"));
  g_assert_nonnull (jstr (canon->json, "object.definition.name.en-US"));  /* no en-GB: one kept */
  g_assert_null (jstr (canon->json, "object.definition.name.fr"));

  hub_test_assert_status (exact, 200);
  g_assert_nonnull (jstr (exact->json, "verb.display.en-US"));
  g_assert_nonnull (jstr (exact->json, "verb.display.en-GB"));
  /* a single context activity comes back as an array */
  g_assert_true (json_object_object_get_ex (json_object_object_get (json_object_object_get (exact->json, "context"),
                                                                    "contextActivities"), "category", &category));
  g_assert_true (json_object_is_type (category, json_type_array));
}

static void
test_attachments (void)
{
  static const char content[] = "hello attachment\r\n--not a boundary\r\n";
  g_autofree char *sha2 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autofree char *id = uuid ();
  g_autofree char *extra = g_strdup_printf (",\"attachments\":[{\"usageType\":\"http://example.com/usage\","
                                            "\"display\":{\"en-US\":\"A\"},\"contentType\":\"text/plain\","
                                            "\"length\":%zu,\"sha2\":\"%s\"}]", strlen (content), sha2);
  g_autofree char *json = statement (id, "att@example.com", "http://example.com/verbs/att", "http://example.com/act/att", extra);
  g_autofree char *body = g_strdup_printf ("--XBOUNDX\r\nContent-Type: application/json\r\n\r\n%s\r\n"
                                           "--XBOUNDX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
                                           "X-Experience-API-Hash: %s\r\n\r\n%s\r\n--XBOUNDX--\r\n",
                                           json, sha2, content);
  g_autofree char *missing = g_strdup_printf ("--XBOUNDX\r\nContent-Type: application/json\r\n\r\n%s\r\n--XBOUNDX--\r\n", json);
  g_autofree char *extra_part = g_strdup_printf ("--XBOUNDX\r\nContent-Type: application/json\r\n\r\n%s\r\n"
                                                 "--XBOUNDX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
                                                 "X-Experience-API-Hash: %s\r\n\r\n%s\r\n"
                                                 "--XBOUNDX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
                                                 "X-Experience-API-Hash: %s\r\n\r\nother\r\n--XBOUNDX--\r\n",
                                                 json, sha2, content,
                                                 "ad9a6b5e8bc1ab4a4b0c4d7e0b0f0e7b0c6e4b2c0f9a8e7d6c5b4a3f2e1d0c9b");
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s&attachments=true", id);
  g_autofree char *plain_path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autoptr(HubTestResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL;
  const char *type;

  r1 = hub_test_request (get_hub (), "POST", "/xapi/statements", the_hub->admin,
                         "multipart/mixed; boundary=XBOUNDX", missing, -1, NULL, NULL);
  hub_test_assert_status (r1, 400);
  r2 = hub_test_request (get_hub (), "POST", "/xapi/statements", the_hub->admin,
                         "multipart/mixed; boundary=XBOUNDX", extra_part, -1, NULL, NULL);
  hub_test_assert_status (r2, 400);
  r3 = post (json);
  hub_test_assert_status (r3, 400);
  r4 = hub_test_request (get_hub (), "POST", "/xapi/statements", the_hub->admin,
                         "multipart/mixed; boundary=XBOUNDX", body, -1, NULL, NULL);
  hub_test_assert_status (r4, 200);

  r5 = get (path);
  hub_test_assert_status (r5, 200);
  type = soup_message_headers_get_one (r5->headers, "Content-Type");
  g_assert_true (g_str_has_prefix (type, "multipart/mixed; boundary="));
  g_assert_nonnull (strstr (r5->text, content));
  g_assert_nonnull (strstr (r5->text, sha2));
  g_assert_nonnull (strstr (r5->text, id));

  r6 = get (plain_path);
  hub_test_assert_status (r6, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (r6->headers, "Content-Type"), "application/json"));
}

static void
test_alternate_syntax (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *json = statement (NULL, "alt@example.com", "http://example.com/verbs/alt", "http://example.com/act/alt", "");
  g_autofree char *escaped = g_uri_escape_string (json, NULL, FALSE);
  g_autofree char *form = g_strdup_printf ("statementId=%s&content=%s", id, escaped);
  g_autoptr(HubTestResponse) r1 = hub_test_request (get_hub (), "POST", "/xapi/statements?method=PUT", the_hub->admin,
                                                    "application/x-www-form-urlencoded", form, -1, NULL, NULL);
  g_autoptr(HubTestResponse) r2 = hub_test_request (get_hub (), "POST", "/xapi/statements?method=GET", the_hub->admin,
                                                    "application/x-www-form-urlencoded", "limit=1", -1, NULL, NULL);
  g_autoptr(HubTestResponse) r3 = hub_test_request (get_hub (), "PUT", "/xapi/statements?method=PUT", the_hub->admin,
                                                    "application/x-www-form-urlencoded", form, -1, NULL, NULL);
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
  g_autoptr(HubTestResponse) r4 = get (path);

  hub_test_assert_status (r1, 204);
  hub_test_assert_status (r2, 200);
  g_assert_nonnull (jstr (r2->json, "more"));
  hub_test_assert_status (r3, 400);
  hub_test_assert_status (r4, 200);
}

static char *
base64url (const char *text)
{
  char *b64 = g_base64_encode ((const guchar *) text, strlen (text));

  for (char *c = b64; *c; c++)
    {
      if (*c == '+')
        *c = '-';
      else if (*c == '/')
        *c = '_';
      else if (*c == '=')
        *c = '\0';
    }
  return b64;
}

/* A signed statement: the JWS as a signature attachment. The hub checks the JWS's form and
 * algorithm (it has no key to check the signature itself). */
static HubTestResponse *
post_signed (const char *alg,
             const char *content_type)
{
  g_autofree char *id = uuid ();
  g_autofree char *plain = statement (id, "sig@example.com", "http://example.com/verbs/signed", "http://example.com/act/sig", "");
  g_autofree char *header = g_strdup_printf ("{\"alg\":\"%s\"}", alg);
  g_autofree char *h64 = base64url (header);
  g_autofree char *p64 = base64url (plain);
  g_autofree char *jws = g_strdup_printf ("%s.%s.c2lnbmF0dXJl", h64, p64);
  g_autofree char *sha2 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, jws, -1);
  g_autofree char *extra = g_strdup_printf (",\"attachments\":[{\"usageType\":\"http://adlnet.gov/expapi/attachments/signature\","
                                            "\"display\":{\"en-US\":\"Signature\"},\"contentType\":\"%s\","
                                            "\"length\":%zu,\"sha2\":\"%s\"}]", content_type, strlen (jws), sha2);
  g_autofree char *signed_json = statement (id, "sig@example.com", "http://example.com/verbs/signed", "http://example.com/act/sig", extra);
  g_autofree char *body = g_strdup_printf ("--SIGB\r\nContent-Type: application/json\r\n\r\n%s\r\n"
                                           "--SIGB\r\nContent-Type: %s\r\nContent-Transfer-Encoding: binary\r\n"
                                           "X-Experience-API-Hash: %s\r\n\r\n%s\r\n--SIGB--\r\n",
                                           signed_json, content_type, sha2, jws);

  return hub_test_request (get_hub (), "POST", "/xapi/statements", the_hub->admin, "multipart/mixed; boundary=SIGB",
                           body, -1, NULL, NULL);
}

static void
test_signed (void)
{
  g_autoptr(HubTestResponse) good = post_signed ("RS256", "application/octet-stream");
  g_autoptr(HubTestResponse) good512 = post_signed ("RS512", "application/octet-stream");
  g_autoptr(HubTestResponse) hs = post_signed ("HS256", "application/octet-stream");
  g_autoptr(HubTestResponse) type = post_signed ("RS256", "text/plain");

  hub_test_assert_status (good, 200);
  hub_test_assert_status (good512, 200);
  hub_test_assert_status (hs, 400);
  assert_message_contains (hs, "HS256");
  hub_test_assert_status (type, 400);
}

/* Filled by the hub: timestamp (= stored when absent); activity definitions merged into the
 * activities table the Activities resource reads; HEAD; Last-Modified. */
static void
test_filled_and_activities (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *activity = g_strdup_printf ("http://example.com/act/merge/%s", tag);
  g_autofree char *id1 = uuid (), *id2 = uuid ();
  g_autofree char *s1 = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:m@example.com\"},\"verb\":{\"id\":\"http://e.com/v\"},"
                                         "\"object\":{\"id\":\"%s\",\"definition\":{\"name\":{\"en-US\":\"meeting\"}}}}", id1, activity);
  g_autofree char *s2 = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:m@example.com\"},\"verb\":{\"id\":\"http://e.com/v\"},"
                                         "\"object\":{\"id\":\"%s\",\"definition\":{\"name\":{\"fr-FR\":\"réunion\"}}}}", id2, activity);
  g_autofree char *both = g_strdup_printf ("[%s,%s]", s1, s2);
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id1);
  g_autofree char *escaped = g_uri_escape_string (activity, NULL, FALSE);
  g_autofree char *activities = g_strdup_printf ("/xapi/activities?activityId=%s", escaped);
  g_autoptr(HubTestResponse) r1 = post (both);
  g_autoptr(HubTestResponse) r2 = get (path);
  g_autoptr(HubTestResponse) r3 = hub_test_request (get_hub (), "HEAD", path, the_hub->admin, NULL, NULL, 0, NULL, NULL);
  g_autoptr(HubTestResponse) r4 = get (activities);

  hub_test_assert_status (r1, 200);
  hub_test_assert_status (r2, 200);
  g_assert_cmpstr (jstr (r2->json, "timestamp"), ==, jstr (r2->json, "stored"));
  g_assert_nonnull (soup_message_headers_get_one (r2->headers, "Last-Modified"));
  hub_test_assert_status (r3, 200);
  g_assert_cmpuint (g_bytes_get_size (r3->body), ==, 0);
  g_assert_nonnull (soup_message_headers_get_one (r3->headers, "X-Experience-API-Consistent-Through"));
  hub_test_assert_status (r4, 200);
  g_assert_cmpstr (jstr (r4->json, "definition.name.en-US"), ==, "meeting");
  g_assert_cmpstr (jstr (r4->json, "definition.name.fr-FR"), ==, "réunion");
  /* re-sending the statement (still without timestamp) is an identical re-send */
  {
    g_autoptr(HubTestResponse) again = post (s1);
    hub_test_assert_status (again, 200);
  }
}

/* A device of a new organisation @org: "device:secret". */
static char *
enrol_device (const char *org)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *body = NULL;
  g_autoptr(HubTestResponse) r = NULL;
  int status;

  status = hub_test_hub_command (get_hub ()->target, &out, &err, "enrol-code", "--org", org, NULL);
  if (status != 0)
    g_error ("enrol-code failed: %s", err);
  body = g_strdup_printf ("{\"code\":\"%s\",\"label\":\"test\"}", g_strstrip (out));
  r = hub_test_request (get_hub (), "POST", "/api/v1/devices", NULL, "application/json", body, -1, NULL, NULL);
  hub_test_assert_status (r, 201);
  return g_strdup_printf ("%s:%s", jstr (r->json, "device"), jstr (r->json, "secret"));
}

static char *
learner_statement (const char *id,
                   const char *learner,
                   const char *verb)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"objectType\":\"Agent\",\"account\":{\"homePage\":\"https://hub.example\","
                          "\"name\":\"%s\"}},\"verb\":{\"id\":\"%s\"},\"object\":{\"id\":\"http://example.com/act/org\"}}",
                          id, learner, verb);
}

static void
test_org_scoping (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *org_a = g_strdup_printf ("A-%s", tag);
  g_autofree char *org_b = g_strdup_printf ("B-%s", tag);
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/org/%s", tag);
  g_autofree char *dev_a = enrol_device (org_a);
  g_autofree char *dev_b = enrol_device (org_b);
  g_autofree char *la = uuid (), *lb = uuid (), *stranger = uuid ();
  g_autofree char *id_a = uuid (), *id_b = uuid (), *id_x = uuid (), *id_y = uuid ();
  g_autofree char *s_a = learner_statement (id_a, la, verb);
  g_autofree char *s_b = learner_statement (id_b, lb, verb);
  g_autofree char *s_x = learner_statement (id_x, stranger, verb);
  g_autofree char *s_y = learner_statement (id_y, la, verb);
  g_autofree char *mixed = g_strdup_printf ("[%s,%s]", s_y, s_b);
  g_autofree char *path_la = g_strdup_printf ("/api/v1/learners/%s", la);
  g_autofree char *path_lb = g_strdup_printf ("/api/v1/learners/%s", lb);
  g_autofree char *get_a = g_strdup_printf ("/xapi/statements?statementId=%s", id_a);
  g_autofree char *get_y = g_strdup_printf ("/xapi/statements?statementId=%s", id_y);
  g_autofree char *list = query_path ("verb", verb, NULL);
  g_autofree char *coord_out = NULL;
  g_autofree char *coord_err = NULL;
  g_autofree char *coord = NULL;
  g_autofree char *both = g_strdup_printf ("%s,%s", id_b, id_a);
  g_autofree char *coord_name = g_strdup_printf ("coord%.8s", tag);
  g_autofree char *ids = NULL;
  HubTestResponse *r;
  g_auto(GStrv) lines = NULL;
  int status;

  status = hub_test_hub_command (get_hub ()->target, &coord_out, &coord_err, "user", "add", coord_name,
                                 "--role", "coordinator", "--org", org_a, NULL);
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (g_strstrip (coord_out), "\n", -1);
  coord = g_strdup_printf ("%s:%s", coord_name, g_strstrip (lines[g_strv_length (lines) - 1]));

  /* learners registered by their organisation's devices */
  r = hub_test_request (get_hub (), "PUT", path_la, dev_a, "application/json", "{\"name\":\"Li An\"}", -1, NULL, NULL);
  g_assert_cmpuint (r->status / 100, ==, 2);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "PUT", path_lb, dev_b, "application/json", "{\"name\":\"Lu Bo\"}", -1, NULL, NULL);
  g_assert_cmpuint (r->status / 100, ==, 2);
  hub_test_response_free (r);

  /* writes: only the device's own learners */
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", dev_a, NULL, s_a, -1, NULL, NULL);
  hub_test_assert_status (r, 200);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", dev_a, NULL, s_b, -1, NULL, NULL);
  hub_test_assert_status (r, 403);
  assert_message_contains (r, lb);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", dev_a, NULL, s_x, -1, NULL, NULL);
  hub_test_assert_status (r, 403);
  assert_message_contains (r, stranger);
  hub_test_response_free (r);
  /* all or nothing: the good statement of a refused batch is not stored */
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", dev_a, NULL, mixed, -1, NULL, NULL);
  hub_test_assert_status (r, 403);
  hub_test_response_free (r);
  r = get (get_y);
  hub_test_assert_status (r, 404);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", dev_b, NULL, s_b, -1, NULL, NULL);
  hub_test_assert_status (r, 200);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "POST", "/xapi/statements", coord, NULL, s_a, -1, NULL, NULL);
  hub_test_assert_status (r, 403);
  hub_test_response_free (r);

  /* reads: the organisation's statements only */
  r = hub_test_request (get_hub (), "GET", get_a, dev_a, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (r, 200);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "GET", get_a, dev_b, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (r, 404);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "GET", list, dev_b, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (r, 200);
  ids = result_ids (r);
  g_assert_cmpstr (ids, ==, id_b);
  g_clear_pointer (&ids, g_free);
  hub_test_response_free (r);
  r = hub_test_request (get_hub (), "GET", list, coord, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (r, 200);
  ids = result_ids (r);
  g_assert_cmpstr (ids, ==, id_a);
  g_clear_pointer (&ids, g_free);
  hub_test_response_free (r);
  r = get (list);
  ids = result_ids (r);
  g_assert_cmpstr (ids, ==, both);
  hub_test_response_free (r);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* The hub stores a statement's text as sent, compacted, with what it adds spliced in; or
 * serialises it again when the text is not plain JSON or the hub changes it. Either way a
 * GET returns compact, plain JSON with one of each member. */
static void
test_stored_text (void)
{
  struct
  {
    const char *what;
    const char *body;      /* %s: id, %s: verb */
    const char *verb_display;
  } cases[] = {
    { "pretty", "{\n  \"id\" : \"%s\",\n  \"actor\" : { \"mbox\" : \"mailto:st@example.com\" },\n"
                "  \"verb\" : { \"id\" : \"%s\", \"display\" : { \"en-US\" : \"caf\\u00e9 \\/ \\\"q\\\"\" } },\n"
                "  \"object\" : { \"id\" : \"http://example.com/act/st\" },\n"
                "  \"result\" : { \"score\" : { \"scaled\" : -0.5e0 }, \"success\" : true }\n}\n",
      "caf\xc3\xa9 / \"q\"" },
    { "a name twice", "{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:st@example.com\"},"
                      "\"verb\":{\"id\":\"http://example.com/verbs/first\",\"display\":{\"en-US\":\"first\"}},"
                      "\"verb\":{\"id\":\"%s\",\"display\":{\"en-US\":\"second\"}},"
                      "\"object\":{\"id\":\"http://example.com/act/st\"}}",
      "second" },
    { "a comment", "{\"id\":\"%s\",/* a comment */\"actor\":{\"mbox\":\"mailto:st@example.com\"},"
                   "\"verb\":{\"id\":\"%s\",\"display\":{\"en-US\":\"commented\"}},"
                   "\"object\":{\"id\":\"http://example.com/act/st\"}}",
      "commented" },
    { "stored and a single context activity",
      "{\"id\":\"%s\",\"stored\":\"2020-01-01T00:00:00Z\",\"actor\":{\"mbox\":\"mailto:st@example.com\"},"
      "\"verb\":{\"id\":\"%s\",\"display\":{\"en-US\":\"wrapped\"}},"
      "\"object\":{\"id\":\"http://example.com/act/st\"},"
      "\"context\":{\"contextActivities\":{\"parent\":{\"id\":\"http://example.com/act/parent\"}}}}",
      "wrapped" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = uuid ();
      g_autofree char *tag = uuid ();
      g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
      g_autofree char *body = g_strdup_printf (cases[i].body, id, verb);
      g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", id);
      g_autoptr(HubTestResponse) posted = post (body);
      g_autoptr(HubTestResponse) got = NULL;
      g_autoptr(HubTestResponse) again = NULL;
      json_object *parent;

      g_test_message ("%s", cases[i].what);
      if (posted->status == 400 && strstr (cases[i].what, "comment") != NULL)
        continue;  /* a JSON parser may refuse comments; then there is nothing stored */
      hub_test_assert_status (posted, 200);
      got = get (path);
      hub_test_assert_status (got, 200);
      g_assert_null (strchr (got->text, '\n'));
      g_assert_null (strstr (got->text, "/*"));
      g_assert_null (strstr (got->text, "\": "));
      g_assert_cmpuint (count_occurrences (got->text, "\"verb\":"), ==, 1);
      g_assert_cmpuint (count_occurrences (got->text, "\"stored\":"), ==, 1);
      g_assert_cmpuint (count_occurrences (got->text, "\"authority\":"), ==, 1);
      g_assert_cmpuint (count_occurrences (got->text, "\"version\":"), ==, 1);
      g_assert_cmpuint (count_occurrences (got->text, "\"id\":\""), >=, 1);
      g_assert_cmpstr (jstr (got->json, "id"), ==, id);
      g_assert_cmpstr (jstr (got->json, "verb.id"), ==, verb);
      g_assert_cmpstr (jstr (got->json, "verb.display.en-US"), ==, cases[i].verb_display);
      g_assert_cmpstr (jstr (got->json, "version"), ==, "1.0.0");
      g_assert_cmpstr (jstr (got->json, "authority.account.name"), ==, "admin");
      g_assert_cmpstr (jstr (got->json, "stored"), !=, "2020-01-01T00:00:00Z");
      if (json_object_object_get_ex (got->json, "context", NULL))
        {
          parent = json_object_object_get (json_object_object_get (json_object_object_get (got->json, "context"),
                                                                   "contextActivities"), "parent");
          g_assert_true (json_object_is_type (parent, json_type_array));
        }
      /* the same statement again: no conflict with what was stored */
      again = post (body);
      hub_test_assert_status (again, 200);
    }
}

/* A request whose answer is read as it came over the wire (no content decoder). */
static SoupMessage *
raw_request (SoupSession  *session,
             const char   *method,
             const char   *path,
             const char   *accept_encoding,
             GBytes      **body)
{
  g_autofree char *url = g_strconcat (get_hub ()->url, path, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) the_hub->admin, strlen (the_hub->admin));
  g_autofree char *authorization = g_strdup_printf ("Basic %s", encoded);
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "X-Experience-API-Version", "1.0.3");
  if (accept_encoding != NULL)
    soup_message_headers_replace (headers, "Accept-Encoding", accept_encoding);
  else
    soup_message_headers_remove (headers, "Accept-Encoding");
  *body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return msg;
}

static char *
gunzip (GBytes *packed)
{
  z_stream zs = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize size;
  const guchar *data = g_bytes_get_data (packed, &size);
  int ret = Z_OK;

  g_assert_cmpint (inflateInit2 (&zs, 16 + MAX_WBITS), ==, Z_OK);
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) size;
  for (guint i = 0; i < 10000 && ret != Z_STREAM_END; i++)
    {
      guchar buffer[16384];

      zs.next_out = buffer;
      zs.avail_out = sizeof buffer;
      ret = inflate (&zs, Z_NO_FLUSH);
      g_assert_true (ret == Z_OK || ret == Z_STREAM_END);
      g_byte_array_append (out, buffer, sizeof buffer - zs.avail_out);
    }
  g_assert_cmpint (ret, ==, Z_STREAM_END);
  g_assert_cmpuint (zs.avail_in, ==, 0);
  inflateEnd (&zs);
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static void
test_gzip_responses (void)
{
  enum { N = 20 };
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/%s", tag);
  g_autofree char *escaped = g_uri_escape_string (verb, NULL, TRUE);
  g_autofree char *path = g_strdup_printf ("/xapi/statements?verb=%s&limit=100", escaped);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autoptr(GString) batch = g_string_new ("[");
  g_autoptr(HubTestResponse) posted = NULL;
  g_autoptr(SoupMessage) plain = NULL, packed = NULL, refused = NULL, head = NULL, about = NULL;
  g_autoptr(GBytes) plain_body = NULL, packed_body = NULL, refused_body = NULL, head_body = NULL;
  g_autoptr(GBytes) about_body = NULL;
  g_autoptr(TestJson) plain_json = NULL, packed_json = NULL, about_json = NULL;
  g_autofree char *unpacked = NULL;
  g_autofree char *plain_text = NULL;
  g_autofree char *about_text = NULL;
  SoupMessageHeaders *headers;
  json_object *extensions, *flag;
  gsize size;

  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *mbox = g_strdup_printf ("gz%u@example.com", i);
      g_autofree char *one = statement (NULL, mbox, verb, "http://example.com/act/gz", "");

      g_string_append_printf (batch, "%s%s", i > 0 ? "," : "", one);
    }
  g_string_append_c (batch, ']');
  posted = post (batch->str);
  hub_test_assert_status (posted, 200);

  /* no Accept-Encoding: plain JSON, and a Vary that says it could have been otherwise */
  plain = raw_request (session, "GET", path, NULL, &plain_body);
  g_assert_cmpuint (soup_message_get_status (plain), ==, 200);
  headers = soup_message_get_response_headers (plain);
  g_assert_null (soup_message_headers_get_one (headers, "Content-Encoding"));
  g_assert_true (soup_header_contains (soup_message_headers_get_list (headers, "Vary"), "Accept-Encoding"));
  g_assert_cmpuint (g_bytes_get_size (plain_body), >=, 1024);
  plain_text = g_strndup (g_bytes_get_data (plain_body, NULL), g_bytes_get_size (plain_body));
  plain_json = json_tokener_parse (plain_text);
  g_assert_nonnull (plain_json);
  g_assert_cmpuint (json_object_array_length (json_object_object_get (plain_json, "statements")), ==, N);

  /* gzip: the same JSON, smaller, with a Content-Length that matches */
  packed = raw_request (session, "GET", path, "deflate, gzip;q=0.5", &packed_body);
  g_assert_cmpuint (soup_message_get_status (packed), ==, 200);
  headers = soup_message_get_response_headers (packed);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Content-Encoding"), ==, "gzip");
  g_assert_true (soup_header_contains (soup_message_headers_get_list (headers, "Vary"), "Accept-Encoding"));
  g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, g_bytes_get_size (packed_body));
  g_assert_cmpuint (g_bytes_get_size (packed_body), <, g_bytes_get_size (plain_body) / 2);
  unpacked = gunzip (packed_body);
  g_assert_cmpstr (unpacked, ==, plain_text);
  packed_json = json_tokener_parse (unpacked);
  g_assert_true (json_object_equal (packed_json, plain_json));

  /* HEAD says what GET would send */
  head = raw_request (session, "HEAD", path, "gzip", &head_body);
  g_assert_cmpuint (soup_message_get_status (head), ==, 200);
  headers = soup_message_get_response_headers (head);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Content-Encoding"), ==, "gzip");
  g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, g_bytes_get_size (packed_body));
  g_assert_cmpuint (g_bytes_get_size (head_body), ==, 0);

  /* gzip;q=0 refuses it */
  refused = raw_request (session, "GET", path, "gzip;q=0, identity", &refused_body);
  g_assert_cmpuint (soup_message_get_status (refused), ==, 200);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (refused), "Content-Encoding"));
  g_assert_true (g_bytes_equal (refused_body, plain_body));

  /* the about resource says a client may send gzip bodies; too small to compress */
  about = raw_request (session, "GET", "/xapi/about", "gzip", &about_body);
  g_assert_cmpuint (soup_message_get_status (about), ==, 200);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (about), "Content-Encoding"));
  size = g_bytes_get_size (about_body);
  about_text = g_strndup (g_bytes_get_data (about_body, NULL), size);
  about_json = json_tokener_parse (about_text);
  g_assert_nonnull (about_json);
  g_assert_true (json_object_object_get_ex (about_json, "extensions", &extensions));
  g_assert_true (json_object_object_get_ex (extensions, "https://shuyuan.invalid/xapi/gzip-requests", &flag));
  g_assert_true (json_object_is_type (flag, json_type_boolean));
  g_assert_true (json_object_get_boolean (flag));

  /* the answer to a POST comes from the statement writer's thread, and is compressed all
   * the same: 40 ids are over 1 KiB */
  {
    g_autofree char *url = g_strconcat (get_hub ()->url, "/xapi/statements", NULL);
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GString) body = g_string_new ("[");
    g_autoptr(GBytes) answer = NULL;
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *answer_text = NULL;

    for (guint i = 0; i < 40; i++)
      {
        g_autofree char *id = uuid ();
        g_autofree char *one = statement (id, "gz-post@example.com", verb, "http://example.com/act/gz", "");

        g_string_append_printf (body, "%s%s", i > 0 ? "," : "", one);
        g_ptr_array_add (ids, g_steal_pointer (&id));
      }
    g_string_append_c (body, ']');
    msg = hub_test_post_json (session, url, the_hub->admin, body->str, body->len, "gzip", &answer);
    g_assert_nonnull (answer);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    headers = soup_message_get_response_headers (msg);
    g_assert_cmpstr (soup_message_headers_get_one (headers, "Content-Encoding"), ==, "gzip");
    g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, g_bytes_get_size (answer));
    answer_text = gunzip (answer);
    {
      g_autoptr(GBytes) unpacked_answer = g_bytes_new (answer_text, strlen (answer_text));

      g_assert_true (answer_has_ids (unpacked_answer, ids));
    }
  }
}

/* Links (agent, activity) first land in statement_links_recent and move into the keyed
 * tables later (after enough of them, or after a second without writes). The same queries
 * answer the same before and after; on PostgreSQL the recent table is never used. */
static gint64
recent_links (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = hub_db_open (get_hub ()->target, &error);
  HubDbStmt *stmt;
  gint64 n = -1;

  g_assert_no_error (error);
  stmt = hub_db_prepare (db, "SELECT count(*) FROM statement_links_recent", &error);
  g_assert_no_error (error);
  g_assert_true (hub_db_step (stmt, &error));
  n = hub_db_column_int64 (stmt, 0);
  hub_db_reset (stmt);
  return n;
}

static void
test_links_merged (void)
{
  g_autofree char *tag = uuid ();
  g_autofree char *verb = g_strdup_printf ("http://example.com/verbs/merged/%s", tag);
  g_autofree char *act = g_strdup_printf ("http://example.com/act/merged/%s", tag);
  g_autofree char *mbox = g_strdup_printf ("m-%s@example.com", tag);
  g_autofree char *agent = g_strdup_printf ("{\"mbox\":\"mailto:%s\"}", mbox);
  g_autofree char *ida = uuid (), *idb = uuid ();
  g_autofree char *extra = g_strdup_printf (",\"context\":{\"contextActivities\":{\"grouping\":{\"id\":\"%s\"}}}", act);
  g_autofree char *sa = statement (ida, mbox, verb, act, NULL);
  g_autofree char *sb = statement (idb, mbox, verb, "http://example.com/act/other", extra);
  g_autofree char *ba = g_strdup_printf ("%s,%s", idb, ida);
  g_autoptr(HubTestResponse) r1 = NULL, r2 = NULL;
  gboolean sqlite = g_strcmp0 (hub_test_engine (), "sqlite") == 0;
  gboolean merge_each = g_getenv ("SHUYUAN_HUB_LINK_MERGE_ROWS") != NULL;
  gint64 deadline;

  r1 = post (sa);
  hub_test_assert_status (r1, 200);
  r2 = post (sb);
  hub_test_assert_status (r2, 200);
  if (sqlite && !merge_each)
    g_assert_cmpint (recent_links (), >, 0);
  else if (!sqlite)
    g_assert_cmpint (recent_links (), ==, 0);

  for (int round = 0; round < 2; round++)
    {
      assert_query (ba, "agent", agent, NULL);
      assert_query (ida, "activity", act, NULL);
      assert_query (ba, "activity", act, "related_activities", "true", NULL);
      assert_query (ba, "agent", agent, "verb", verb, "ascending", "false", NULL);
      if (round == 1)
        break;
      /* a second without writes: the writer merges them */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (recent_links () > 0 && g_get_monotonic_time () < deadline)
        g_usleep (50 * 1000);
      g_assert_cmpint (recent_links (), ==, 0);
    }
}

static void
test_restart (void)
{
  g_autofree char *target = g_strdup (get_hub ()->target);
  g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", kept_id);
  g_autoptr(HubTestResponse) r = NULL;

  g_assert_nonnull (kept_id);
  hub_test_hub_stop (the_hub);
  the_hub = hub_test_hub_start (target, NULL, NULL);
  r = get (path);
  hub_test_assert_status (r, 200);
  g_assert_cmpstr (jstr (r->json, "id"), ==, kept_id);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/statements/unit/equal", test_unit_equal);
  g_test_add_func ("/statements/unit/index", test_unit_index);
  g_test_add_func ("/statements/round-trip", test_round_trip);
  g_test_add_func ("/statements/idempotent-conflict", test_idempotent_and_conflict);
  g_test_add_func ("/statements/batch-all-or-nothing", test_batch_all_or_nothing);
  g_test_add_func ("/statements/concurrent-batches", test_concurrent_batches);
  g_test_add_func ("/statements/validation", test_validation);
  g_test_add_func ("/statements/filters", test_filters);
  g_test_add_func ("/statements/paging", test_paging);
  g_test_add_func ("/statements/voiding", test_voiding);
  g_test_add_func ("/statements/formats", test_formats);
  g_test_add_func ("/statements/attachments", test_attachments);
  g_test_add_func ("/statements/alternate-syntax", test_alternate_syntax);
  g_test_add_func ("/statements/signed", test_signed);
  g_test_add_func ("/statements/filled-and-activities", test_filled_and_activities);
  g_test_add_func ("/statements/org-scoping", test_org_scoping);
  g_test_add_func ("/statements/stored-text", test_stored_text);
  g_test_add_func ("/statements/gzip-responses", test_gzip_responses);
  g_test_add_func ("/statements/links-merged", test_links_merged);
  g_test_add_func ("/statements/restart", test_restart);
  /* the WAL is SQLite's */
  if (g_strcmp0 (hub_test_engine (), "sqlite") == 0)
    g_test_add_func ("/statements/wal-bounded", test_wal_bounded);

  status = g_test_run ();
  if (the_hub != NULL)
    hub_test_hub_stop (the_hub);
  g_free (kept_id);
  return status;
}
