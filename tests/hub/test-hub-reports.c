/* test-hub-reports.c — coordinators' reports: completions and surveys, JSON and CSV
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "hub-test-util.h"

#define COURSE "https://shuyuan.invalid/xapi/course/"
#define L1 "0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01"
#define L2 "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c02"
#define L3 "2b3c4d5e-6f7a-4b2c-9d3e-4f5a6b7c8d03"

static HubTestHub *hub;
static char *coordinator_a;   /* "name:secret" */

static char *
samples_path (const char *name)
{
  return g_build_filename (SAMPLE_COURSES_SRCDIR, name, NULL);
}

static void
register_learner (const char *uuid,
                  const char *name,
                  const char *org)
{
  g_autofree char *path = g_strconcat ("/api/v1/learners/", uuid, NULL);
  json_object *body = json_object_new_object ();
  g_autoptr(HubTestResponse) response = NULL;

  json_object_object_add (body, "name", json_object_new_string (name));
  json_object_object_add (body, "org", json_object_new_string (org));
  json_object_object_add (body, "roles", json_object_new_array ());
  json_object_array_add (json_object_object_get (body, "roles"), json_object_new_string ("learner"));
  response = hub_test_admin (hub, "PUT", path, json_object_to_json_string (body));
  json_object_put (body);
  if (response->status >= 300)
    g_error ("registering %s: HTTP %u: %s", name, response->status, response->text);
}

/* A statement of @learner: @verb on @object at @when, with a response (and success when
 * @success is 0 or 1). Returns its id. */
static char *
post (const char *learner,
      const char *verb,
      const char *object,
      const char *when,
      const char *registration,
      const char *response,
      int         success)
{
  g_autofree char *id = g_uuid_string_random ();
  json_object *st = json_object_new_object ();
  json_object *actor = json_object_new_object ();
  json_object *account = json_object_new_object ();
  json_object *v = json_object_new_object ();
  json_object *o = json_object_new_object ();
  g_autoptr(HubTestResponse) resp = NULL;

  json_object_object_add (st, "id", json_object_new_string (id));
  json_object_object_add (account, "homePage", json_object_new_string ("https://learners.shuyuan.invalid/"));
  json_object_object_add (account, "name", json_object_new_string (learner));
  json_object_object_add (actor, "account", account);
  json_object_object_add (st, "actor", actor);
  json_object_object_add (v, "id", json_object_new_string (verb));
  json_object_object_add (st, "verb", v);
  if (g_str_equal (verb, "http://adlnet.gov/expapi/verbs/voided"))
    json_object_object_add (o, "objectType", json_object_new_string ("StatementRef"));
  json_object_object_add (o, "id", json_object_new_string (object));
  json_object_object_add (st, "object", o);
  json_object_object_add (st, "timestamp", json_object_new_string (when));
  if (registration != NULL)
    {
      json_object *context = json_object_new_object ();
      json_object_object_add (context, "registration", json_object_new_string (registration));
      json_object_object_add (st, "context", context);
    }
  if (response != NULL || success >= 0)
    {
      json_object *result = json_object_new_object ();
      if (response != NULL)
        json_object_object_add (result, "response", json_object_new_string (response));
      if (success >= 0)
        json_object_object_add (result, "success", json_object_new_boolean (success));
      json_object_object_add (st, "result", result);
    }
  resp = hub_test_admin (hub, "POST", "/xapi/statements", json_object_to_json_string (st));
  json_object_put (st);
  hub_test_assert_status (resp, 200);
  return g_steal_pointer (&id);
}

#define COMPLETED "http://adlnet.gov/expapi/verbs/completed"
#define ANSWERED "http://adlnet.gov/expapi/verbs/answered"
#define VOIDED "http://adlnet.gov/expapi/verbs/voided"

static void
setup (void)
{
  g_autofree char *out = NULL;
  const char *courses[] = { "village-doctor-hygiene", "coding-for-kids", "retail-bookkeeping", NULL };
  g_autofree char *voided = NULL;
  const char *r1 = "aaaaaaaa-0000-4000-8000-000000000001";
  const char *r2 = "aaaaaaaa-0000-4000-8000-000000000002";
  const char *r3 = "aaaaaaaa-0000-4000-8000-000000000003";

  hub = hub_test_hub_start (NULL, NULL, NULL);
  for (guint i = 0; courses[i]; i++)
    {
      g_autofree char *path = samples_path (courses[i]);
      g_assert_cmpint (hub_test_hub_command (hub->target, NULL, NULL, "publish", path, NULL), ==, 0);
    }
  g_assert_cmpint (hub_test_hub_command (hub->target, &out, NULL, "user", "add", "chen", "--role",
                                         "coordinator", "--org", "青山乡", NULL), ==, 0);
  coordinator_a = g_strconcat ("chen:", g_strstrip (out), NULL);
  /* another organisation (a code makes it) */
  g_assert_cmpint (hub_test_hub_command (hub->target, NULL, NULL, "enrol-code", "--org", "绿水村",
                                         NULL), ==, 0);

  /* a name Excel must not split */
  register_learner (L1, "张\"三\", 医生", "青山乡");
  register_learner (L2, "李四", "青山乡");
  register_learner (L3, "王五", "绿水村");

  /* L1 completes the village doctors' course on two PCs: one completion, the earlier */
  g_free (post (L1, COMPLETED, COURSE "vd-hand-hygiene-cold-chain", "2026-11-02T08:00:00Z", NULL, NULL, -1));
  g_free (post (L1, COMPLETED, COURSE "vd-hand-hygiene-cold-chain", "2026-11-01T08:00:00Z", NULL, NULL, -1));
  /* an item's completion is not a course's */
  g_free (post (L1, COMPLETED, COURSE "cfk-sequences-loops/item/l1", "2026-11-01T09:00:00Z", NULL, NULL, -1));
  /* L2's completion was a mistake, voided */
  voided = post (L2, COMPLETED, COURSE "vd-hand-hygiene-cold-chain", "2026-11-03T08:00:00Z", NULL, NULL, -1);
  g_free (post (L2, VOIDED, voided, "2026-11-03T09:00:00Z", NULL, NULL, -1));
  /* L3 in another organisation */
  g_free (post (L3, COMPLETED, COURSE "retail-bookkeeping-pricing", "2026-11-20T08:00:00Z", NULL, NULL, -1));

  /* a survey: L1 twice (before and after), L2 once changing their mind; a quiz answer */
  g_free (post (L1, ANSWERED, COURSE "retail-bookkeeping-pricing/item/s1/question/income", "2026-11-01T10:00:00Z", r1, "2", -1));
  g_free (post (L1, ANSWERED, COURSE "retail-bookkeeping-pricing/item/s1/question/income", "2026-11-10T10:00:00Z", r2, "4", -1));
  g_free (post (L2, ANSWERED, COURSE "retail-bookkeeping-pricing/item/s1/question/income", "2026-11-02T10:00:00Z", r3, "3", -1));
  g_free (post (L2, ANSWERED, COURSE "retail-bookkeeping-pricing/item/s1/question/income", "2026-11-02T10:01:00Z", r3, "2", -1));
  g_free (post (L1, ANSWERED, COURSE "retail-bookkeeping-pricing/item/q1/question/price", "2026-11-01T11:00:00Z", r1, "12", 1));
}

static json_object *
get_json (const char *path,
          const char *auth,
          guint       status)
{
  HubTestResponse *response = hub_test_request (hub, "GET", path, auth, NULL, NULL, 0, NULL, NULL);
  json_object *json;

  hub_test_assert_status (response, status);
  json = json_object_get (response->json);
  hub_test_response_free (response);
  return json;
}

static gint64
total (json_object *report,
       const char  *name)
{
  return json_object_get_int64 (json_object_object_get (json_object_object_get (report, "totals"), name));
}

static void
test_completions (void)
{
  json_object *report = get_json ("/api/v1/reports/completions", coordinator_a, 200);
  json_object *rows = json_object_object_get (report, "completions");
  json_object *row;

  /* the coordinator sees their organisation: L1's one completion, L2's voided one not */
  g_assert_cmpuint (json_object_array_length (rows), ==, 1);
  row = json_object_array_get_idx (rows, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (row, "learner")), ==, L1);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (row, "course")), ==, "vd-hand-hygiene-cold-chain");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (row, "completed")), ==, "2026-11-01T08:00:00Z");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (row, "programme")), ==, "village-doctor");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (row, "organisation")), ==, "青山乡");
  g_assert_cmpfloat (json_object_get_double (json_object_object_get (row, "class_hours")), >, 0);
  g_assert_cmpint (total (report, "completions"), ==, 1);
  g_assert_cmpint (total (report, "learners"), ==, 1);
  /* the programme has one course in the catalog: a pass */
  g_assert_cmpint (total (report, "passes"), ==, 1);
  json_object_put (report);

  /* the admin sees everyone, or one organisation */
  report = get_json ("/api/v1/reports/completions", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 2);
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?org=%E7%BB%BF%E6%B0%B4%E6%9D%91", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 1);
  json_object_put (report);
  json_object_put (get_json ("/api/v1/reports/completions?org=nowhere", hub->admin, 404));

  /* pages of rows; the totals are always over all of them */
  report = get_json ("/api/v1/reports/completions?limit=1", hub->admin, 200);
  g_assert_cmpuint (json_object_array_length (json_object_object_get (report, "completions")), ==, 1);
  g_assert_cmpint (json_object_get_int (json_object_object_get (report, "next_offset")), ==, 1);
  g_assert_cmpint (total (report, "completions"), ==, 2);
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?limit=1&offset=1", hub->admin, 200);
  g_assert_cmpuint (json_object_array_length (json_object_object_get (report, "completions")), ==, 1);
  g_assert_null (json_object_object_get (report, "next_offset"));
  json_object_put (report);
  json_object_put (get_json ("/api/v1/reports/completions?limit=0", hub->admin, 400));
  json_object_put (get_json ("/api/v1/reports/completions?offset=-1", hub->admin, 400));

  /* filters */
  report = get_json ("/api/v1/reports/completions?programme=retail", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 1);
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?course=vd-hand-hygiene-cold-chain", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 1);
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?from=2026-11-10", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 1);
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?to=2026-11-01", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 1);   /* the whole day of the 1st */
  json_object_put (report);
  report = get_json ("/api/v1/reports/completions?to=2026-10-31", hub->admin, 200);
  g_assert_cmpint (total (report, "completions"), ==, 0);
  json_object_put (report);

  /* a coordinator cannot read another organisation; a device no reports at all */
  json_object_put (get_json ("/api/v1/reports/completions?org=%E7%BB%BF%E6%B0%B4%E6%9D%91", coordinator_a, 403));
  json_object_put (get_json ("/api/v1/reports/completions?format=xml", coordinator_a, 400));
  json_object_put (get_json ("/api/v1/reports/completions", NULL, 401));
}

static void
test_csv (void)
{
  g_autoptr(HubTestResponse) response = hub_test_request (hub, "GET", "/api/v1/reports/completions?format=csv",
                                                          coordinator_a, NULL, NULL, 0, NULL, NULL);
  g_autofree char *cli = NULL;
  g_auto(GStrv) lines = NULL;
  gsize size;
  const char *data;

  hub_test_assert_status (response, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (response->headers, NULL), "text/csv"));
  data = g_bytes_get_data (response->body, &size);
  /* the byte order mark, CRLF, quoted fields; the name's quote doubled, its comma kept */
  g_assert_true (size > 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0);
  lines = g_strsplit (response->text + 3, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* header, one row, totals, "" */
  g_assert_true (g_str_has_prefix (lines[0], "\"learner\",\"name\","));
  g_assert_nonnull (strstr (lines[1], "\"张\"\"三\"\", 医生\""));
  g_assert_nonnull (strstr (lines[1], "\"乡村医生：手卫生与疫苗冷链\""));
  g_assert_true (g_str_has_prefix (lines[2], "\"total\",\"1 completions"));
  g_assert_cmpstr (lines[3], ==, "");
  g_assert_null (strchr (lines[1], '\n'));

  /* the command line writes the same for the same organisation */
  g_assert_cmpint (hub_test_hub_command (hub->target, &cli, NULL, "report", "completions", "--org",
                                         "青山乡", "--format", "csv", NULL), ==, 0);
  g_assert_cmpstr (cli, ==, response->text);
}

static void
test_surveys (void)
{
  json_object *report = get_json ("/api/v1/reports/surveys", coordinator_a, 200);
  json_object *surveys = json_object_object_get (report, "surveys");
  json_object *survey, *question, *answers, *before, *after;

  /* the survey only: the quiz answer says whether it was right */
  g_assert_cmpuint (json_object_array_length (surveys), ==, 1);
  survey = json_object_array_get_idx (surveys, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (survey, "item")), ==, "s1");
  g_assert_cmpint (json_object_get_int (json_object_object_get (survey, "learners")), ==, 2);
  g_assert_cmpint (json_object_get_int (json_object_object_get (survey, "attempts")), ==, 3);
  question = json_object_array_get_idx (json_object_object_get (survey, "questions"), 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (question, "question")), ==, "income");
  /* the last answer of each attempt: L1 "2" then "4", L2 "2" (not "3") */
  answers = json_object_object_get (question, "answers");
  g_assert_cmpint (json_object_get_int (json_object_object_get (answers, "2")), ==, 2);
  g_assert_cmpint (json_object_get_int (json_object_object_get (answers, "4")), ==, 1);
  g_assert_null (json_object_object_get (answers, "3"));
  /* before and after: L1, the only one who took it twice */
  before = json_object_object_get (question, "before");
  after = json_object_object_get (question, "after");
  g_assert_cmpint (json_object_get_int (json_object_object_get (before, "2")), ==, 1);
  g_assert_cmpint (json_object_get_int (json_object_object_get (after, "4")), ==, 1);
  g_assert_null (json_object_object_get (before, "4"));
  json_object_put (report);

  {
    g_autoptr(HubTestResponse) csv = hub_test_request (hub, "GET", "/api/v1/reports/surveys",
                                                       coordinator_a, NULL, NULL, 0,
                                                       "Accept", "text/csv", NULL);
    hub_test_assert_status (csv, 200);
    g_assert_nonnull (strstr (csv->text, "\"retail-bookkeeping-pricing\",\"s1\",\"income\",\"2\",\"2\",\"1\",\"0\"\r\n"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/hub/reports/completions", test_completions);
  g_test_add_func ("/hub/reports/csv", test_csv);
  g_test_add_func ("/hub/reports/surveys", test_surveys);
  status = g_test_run ();
  hub_test_hub_stop (hub);
  g_free (coordinator_a);
  return status;
}
