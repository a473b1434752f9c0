/* test-hub-access.c — accounts, enrolment of devices, the learner registry and its scoping
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "hub-db.h"
#include "hub-test-util.h"

typedef json_object TestJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestJson, json_object_put)

#define LEARNER_A  "0b7e6a52-1f7c-4d8e-9c3a-5e2f1d0a9b01"
#define LEARNER_A2 "0b7e6a52-1f7c-4d8e-9c3a-5e2f1d0a9b02"
#define LEARNER_B  "7c1d2e3f-4a5b-4c6d-8e7f-901234567890"
#define PIN_HASH   "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

static const char *
error_message (HubTestResponse *response)
{
  json_object *error, *message;

  if (response->json == NULL || !json_object_object_get_ex (response->json, "error", &error) ||
      !json_object_object_get_ex (error, "message", &message))
    return "";
  return json_object_get_string (message);
}

static const char *
member (HubTestResponse *response,
        const char      *name)
{
  json_object *value;

  if (response->json == NULL || !json_object_object_get_ex (response->json, name, &value))
    return NULL;
  return json_object_get_string (value);
}

/* `user add NAME --role ROLE [--org ORG]` → "NAME:SECRET" */
static char *
add_user (HubTestHub *hub,
          const char *name,
          const char *role,
          const char *org)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (org != NULL)
    status = hub_test_hub_command (hub->target, &out, &err, "user", "add", name, "--role", role,
                                   "--org", org, NULL);
  else
    status = hub_test_hub_command (hub->target, &out, &err, "user", "add", name, "--role", role,
                                   NULL);
  if (status != 0)
    g_error ("user add %s failed (%d): %s", name, status, err);
  /* the secret alone on standard output, the explanation on standard error */
  g_assert_true (g_regex_match_simple ("^[A-Za-z0-9_-]{43}\n$", out, 0, 0));
  g_assert_cmpstr (err, !=, "");
  g_strstrip (out);
  return g_strdup_printf ("%s:%s", name, out);
}

static char *
new_code (HubTestHub *hub,
          const char *org,
          const char *expires)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (expires != NULL)
    status = hub_test_hub_command (hub->target, &out, &err, "enrol-code", "--org", org,
                                   "--expires", expires, NULL);
  else
    status = hub_test_hub_command (hub->target, &out, &err, "enrol-code", "--org", org, NULL);
  if (status != 0)
    g_error ("enrol-code --org %s failed (%d): %s", org, status, err);
  g_assert_true (g_regex_match_simple ("^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}\n$",
                                       out, 0, 0));
  g_strstrip (out);
  return g_steal_pointer (&out);
}

static HubTestResponse *
redeem (HubTestHub *hub,
        const char *code,
        const char *label)
{
  g_autoptr(TestJson) body = json_object_new_object ();

  json_object_object_add (body, "code", json_object_new_string (code));
  if (label != NULL)
    json_object_object_add (body, "label", json_object_new_string (label));
  return hub_test_request (hub, "POST", "/api/v1/devices", NULL, NULL,
                           json_object_to_json_string (body), -1, NULL, NULL);
}

/* A new device of @org → "DEVICE:SECRET" */
static char *
enrol_device (HubTestHub *hub,
              const char *org)
{
  g_autofree char *code = new_code (hub, org, NULL);
  g_autoptr(HubTestResponse) response = redeem (hub, code, "test PC");

  hub_test_assert_status (response, 201);
  return g_strdup_printf ("%s:%s", member (response, "device"), member (response, "secret"));
}

static HubTestResponse *
put_learner (HubTestHub *hub,
             const char *auth,
             const char *uuid,
             const char *name,
             const char *org)
{
  g_autoptr(TestJson) body = json_object_new_object ();
  g_autoptr(TestJson) roles = json_object_new_array ();
  g_autofree char *path = g_strconcat ("/api/v1/learners/", uuid, NULL);

  json_object_array_add (roles, json_object_new_string ("learner"));
  json_object_object_add (body, "name", json_object_new_string (name));
  json_object_object_add (body, "roles", json_object_get (roles));
  json_object_object_add (body, "pin_hash", json_object_new_string (PIN_HASH));
  json_object_object_add (body, "external_id", json_object_new_string ("ext-1"));
  if (org != NULL)
    json_object_object_add (body, "org", json_object_new_string (org));
  return hub_test_request (hub, "PUT", path, auth, NULL, json_object_to_json_string (body), -1,
                           NULL, NULL);
}

static HubTestResponse *
get (HubTestHub *hub,
     const char *auth,
     const char *path)
{
  return hub_test_request (hub, "GET", path, auth, NULL, NULL, 0, NULL, NULL);
}

/* The uuids in {"learners": [...]}, comma-separated. */
static char *
learner_uuids (HubTestResponse *response)
{
  g_autoptr(GString) out = g_string_new (NULL);
  json_object *list;

  g_assert_true (json_object_object_get_ex (response->json, "learners", &list));
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *learner = json_object_array_get_idx (list, i);

      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, json_object_get_string (json_object_object_get (learner, "uuid")));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_users (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autofree char *coordinator = add_user (hub, "coord-a", "coordinator", "Clinic A");
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *out = NULL;
  g_autoptr(HubTestResponse) ok = NULL;
  g_autoptr(HubTestResponse) wrong = NULL;
  g_autofree char *bad_secret = g_strconcat (coordinator, "A", NULL);

  ok = get (hub, coordinator, "/api/v1/learners");
  hub_test_assert_status (ok, 200);
  wrong = get (hub, bad_secret, "/api/v1/learners");
  hub_test_assert_status (wrong, 401);

  /* usage errors: exit 2, one line */
  g_assert_cmpint (hub_test_hub_command (hub->target, &out, &err, "user", "add", "x", "--role",
                                         "teacher", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "coordinator or admin"));
  g_assert_cmpint (hub_test_hub_command (hub->target, NULL, &err2, "user", "add", "y", "--role",
                                         "coordinator", NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "--org"));
  /* the same name twice: a failure */
  g_assert_cmpint (hub_test_hub_command (hub->target, NULL, &err3, "user", "add", "coord-a",
                                         "--role", "admin", NULL), ==, 1);
  g_assert_nonnull (strstr (err3, "already"));
  /* one line */
  g_assert_true (strchr (err3, '\n') == err3 + strlen (err3) - 1);

  hub_test_hub_stop (hub);
}

static void
test_enrolment (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autofree char *code = new_code (hub, "Clinic A", NULL);
  g_autofree char *sloppy = NULL;
  g_autofree char *expiring = NULL;
  g_autofree char *device = NULL;
  g_autofree char *err = NULL;
  g_autoptr(HubTestResponse) first = NULL;
  g_autoptr(HubTestResponse) second = NULL;
  g_autoptr(HubTestResponse) expired = NULL;
  g_autoptr(HubTestResponse) unknown = NULL;
  g_autoptr(HubTestResponse) nonsense = NULL;
  g_autoptr(HubTestResponse) not_json = NULL;
  g_autoptr(HubTestResponse) device_get = NULL;
  g_autoptr(HubTestResponse) device_wrong = NULL;
  const char *xapi;

  /* lower case, hyphens moved, spaces: still the code */
  {
    g_autoptr(GString) s = g_string_new (NULL);

    for (const char *p = code; *p != '\0'; p++)
      if (*p != '-')
        g_string_append_c (s, g_ascii_tolower (*p));
    g_string_insert (s, 5, " - ");
    sloppy = g_string_free (g_steal_pointer (&s), FALSE);
  }
  first = redeem (hub, sloppy, "clinic PC 2");
  hub_test_assert_status (first, 201);
  g_assert_true (g_str_has_prefix (member (first, "device"), "dev-"));
  g_assert_cmpuint (strlen (member (first, "secret")), ==, 43);
  g_assert_cmpstr (member (first, "org"), ==, "Clinic A");
  xapi = member (first, "xapi");
  g_assert_true (g_str_has_prefix (xapi, hub->url));
  g_assert_true (g_str_has_suffix (xapi, "/xapi/"));
  device = g_strdup_printf ("%s:%s", member (first, "device"), member (first, "secret"));

  second = redeem (hub, code, "another PC");
  hub_test_assert_status (second, 403);
  g_assert_nonnull (strstr (error_message (second), "used already"));

  device_get = get (hub, device, "/api/v1/learners");
  hub_test_assert_status (device_get, 200);
  {
    g_autofree char *wrong = g_strconcat (device, "x", NULL);

    device_wrong = get (hub, wrong, "/api/v1/learners");
    hub_test_assert_status (device_wrong, 401);
  }

  expiring = new_code (hub, "Clinic A", "1s");
  g_usleep (1500 * 1000);
  expired = redeem (hub, expiring, NULL);
  hub_test_assert_status (expired, 403);
  g_assert_nonnull (strstr (error_message (expired), "expired"));

  unknown = redeem (hub, "2222-2222-22", NULL);
  hub_test_assert_status (unknown, 403);
  g_assert_nonnull (strstr (error_message (unknown), "not known"));
  nonsense = redeem (hub, "hello", NULL);
  hub_test_assert_status (nonsense, 403);
  g_assert_nonnull (strstr (error_message (nonsense), "not an enrolment code"));
  not_json = hub_test_request (hub, "POST", "/api/v1/devices", NULL, NULL, "{\"code\":", -1,
                               NULL, NULL);
  hub_test_assert_status (not_json, 400);

  /* a bad duration is a usage error */
  g_assert_cmpint (hub_test_hub_command (hub->target, NULL, &err, "enrol-code", "--org", "Clinic A",
                                         "--expires", "soon", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--expires"));

  hub_test_hub_stop (hub);
}

static void
test_learners (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autofree char *device_a = enrol_device (hub, "Clinic A");
  g_autofree char *device_a2 = enrol_device (hub, "Clinic A");
  g_autofree char *device_b = enrol_device (hub, "Clinic B");
  g_autofree char *coordinator_a = add_user (hub, "coord-a", "coordinator", "Clinic A");
  g_autofree char *coordinator_b = add_user (hub, "coord-b", "coordinator", "Clinic B");
  g_autoptr(HubTestResponse) created = NULL;
  g_autoptr(HubTestResponse) updated = NULL;
  g_autoptr(HubTestResponse) stolen = NULL;
  g_autoptr(HubTestResponse) created_b = NULL;
  g_autoptr(HubTestResponse) created_a2 = NULL;
  g_autoptr(HubTestResponse) read_other = NULL;
  g_autoptr(HubTestResponse) read_same_org = NULL;
  g_autoptr(HubTestResponse) list_a = NULL;
  g_autoptr(HubTestResponse) list_b = NULL;
  g_autoptr(HubTestResponse) list_coord_a = NULL;
  g_autoptr(HubTestResponse) list_admin = NULL;
  g_autoptr(HubTestResponse) list_cross = NULL;
  g_autoptr(HubTestResponse) coord_read_b = NULL;
  g_autoptr(HubTestResponse) bad_uuid = NULL;
  g_autoptr(HubTestResponse) bad_pin = NULL;
  g_autoptr(HubTestResponse) admin_no_org = NULL;
  g_autoptr(HubTestResponse) admin_org = NULL;
  g_autoptr(HubTestResponse) missing = NULL;
  g_autoptr(HubTestResponse) anonymous = NULL;
  g_autofree char *uuids = NULL;
  g_autofree char *device_b_name = g_strndup (device_b, strchr (device_b, ':') - device_b);
  json_object *learners, *first;

  created = put_learner (hub, device_a, LEARNER_A, "Ann", NULL);
  hub_test_assert_status (created, 201);
  g_assert_cmpstr (member (created, "org"), ==, "Clinic A");
  g_assert_cmpstr (member (created, "pin_hash"), ==, PIN_HASH);
  updated = put_learner (hub, device_a2, LEARNER_A, "Ann Li", NULL);
  hub_test_assert_status (updated, 200);
  g_assert_cmpstr (member (updated, "name"), ==, "Ann Li");

  /* a device of Clinic B cannot take Clinic A's learner, nor read it */
  stolen = put_learner (hub, device_b, LEARNER_A, "Mallory", NULL);
  hub_test_assert_status (stolen, 409);
  g_assert_nonnull (strstr (error_message (stolen), "this device belongs to organisation Clinic B"));
  g_assert_nonnull (strstr (error_message (stolen), "registered to organisation Clinic A"));
  read_other = get (hub, device_b, "/api/v1/learners/" LEARNER_A);
  hub_test_assert_status (read_other, 403);
  g_assert_nonnull (strstr (error_message (read_other), "Clinic A"));

  /* another PC of the same organisation reads it, PIN hash included */
  read_same_org = get (hub, device_a2, "/api/v1/learners/" LEARNER_A);
  hub_test_assert_status (read_same_org, 200);
  g_assert_cmpstr (member (read_same_org, "pin_hash"), ==, PIN_HASH);
  g_assert_cmpstr (member (read_same_org, "external_id"), ==, "ext-1");

  created_b = put_learner (hub, device_b, LEARNER_B, "Bo", NULL);
  hub_test_assert_status (created_b, 201);
  g_assert_cmpstr (member (created_b, "registered_by_device"), ==, device_b_name);
  created_a2 = put_learner (hub, coordinator_a, LEARNER_A2, "Ai", NULL);
  hub_test_assert_status (created_a2, 201);

  list_a = get (hub, device_a, "/api/v1/learners");
  hub_test_assert_status (list_a, 200);
  uuids = learner_uuids (list_a);
  g_assert_cmpstr (uuids, ==, LEARNER_A "," LEARNER_A2);
  g_clear_pointer (&uuids, g_free);
  learners = json_object_object_get (list_a->json, "learners");
  first = json_object_array_get_idx (learners, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "pin_hash")), ==, PIN_HASH);

  list_b = get (hub, device_b, "/api/v1/learners");
  uuids = learner_uuids (list_b);
  g_assert_cmpstr (uuids, ==, LEARNER_B);
  g_clear_pointer (&uuids, g_free);

  list_coord_a = get (hub, coordinator_a, "/api/v1/learners");
  uuids = learner_uuids (list_coord_a);
  g_assert_cmpstr (uuids, ==, LEARNER_A "," LEARNER_A2);
  g_clear_pointer (&uuids, g_free);
  coord_read_b = get (hub, coordinator_b, "/api/v1/learners/" LEARNER_A);
  hub_test_assert_status (coord_read_b, 403);
  list_cross = get (hub, coordinator_a, "/api/v1/learners?org=Clinic%20B");
  hub_test_assert_status (list_cross, 403);

  list_admin = get (hub, hub->admin, "/api/v1/learners");
  uuids = learner_uuids (list_admin);
  g_assert_cmpstr (uuids, ==, LEARNER_A "," LEARNER_A2 "," LEARNER_B);
  g_clear_pointer (&uuids, g_free);

  /* bad input */
  bad_uuid = put_learner (hub, device_a, "not-a-uuid", "X", NULL);
  hub_test_assert_status (bad_uuid, 400);
  g_assert_nonnull (strstr (error_message (bad_uuid), "UUID"));
  bad_pin = hub_test_request (hub, "PUT", "/api/v1/learners/" LEARNER_A, device_a, NULL,
                              "{\"name\": \"Ann\", \"pin_hash\": \"1234\"}", -1, NULL, NULL);
  hub_test_assert_status (bad_pin, 400);
  g_assert_nonnull (strstr (error_message (bad_pin), "argon2id"));
  missing = get (hub, device_a, "/api/v1/learners/00000000-0000-4000-8000-000000000000");
  hub_test_assert_status (missing, 404);
  anonymous = get (hub, NULL, "/api/v1/learners/" LEARNER_A);
  hub_test_assert_status (anonymous, 401);

  /* an admin names the organisation of a new learner */
  admin_no_org = put_learner (hub, hub->admin, "11111111-2222-4333-8444-555555555555", "Cy", NULL);
  hub_test_assert_status (admin_no_org, 400);
  admin_org = put_learner (hub, hub->admin, "11111111-2222-4333-8444-555555555555", "Cy", "Clinic B");
  hub_test_assert_status (admin_org, 201);
  g_assert_cmpstr (member (admin_org, "org"), ==, "Clinic B");

  hub_test_hub_stop (hub);
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &data, &size, NULL))
    return FALSE;
  for (gsize i = 0, n = strlen (needle); i + n <= size; i++)
    if (data[i] == needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_secrets_hashed (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autofree char *coordinator = add_user (hub, "coord-a", "coordinator", "Clinic A");
  g_autofree char *code = new_code (hub, "Clinic A", NULL);
  g_autofree char *unused_code = new_code (hub, "Clinic A", NULL);
  g_autoptr(HubTestResponse) enrolled = redeem (hub, code, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = NULL;
  const char *user_secret = strchr (coordinator, ':') + 1;
  const char *device_secret;
  g_autofree char *user_hash = sha256_hex (user_secret);
  g_autofree char *device_hash = NULL;
  g_autofree char *target = g_strdup (hub->target);
  HubDbStmt *stmt;
  const char *checks[][2] = {
    { "SELECT secret_sha256 FROM users WHERE name = 'coord-a'", NULL },
    { "SELECT secret_sha256 FROM devices", NULL },
  };

  hub_test_assert_status (enrolled, 201);
  device_secret = member (enrolled, "secret");
  device_hash = sha256_hex (device_secret);
  checks[0][1] = user_hash;
  checks[1][1] = device_hash;

  /* the secrets and codes appear nowhere in the database files */
  if (g_str_equal (hub_test_engine (), "sqlite"))
    {
      const char *files[] = { "hub.sqlite", "hub.sqlite-wal" };
      g_autofree char *plain_code = g_strdup (unused_code);

      /* codes are stored without their hyphens, if at all */
      {
        char *w = plain_code;
        for (const char *r = unused_code; *r != '\0'; r++)
          if (*r != '-')
            *w++ = *r;
        *w = '\0';
      }
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (hub->target, files[i], NULL);

          g_assert_false (file_contains (path, user_secret));
          g_assert_false (file_contains (path, device_secret));
          g_assert_false (file_contains (path, plain_code));
          g_assert_false (file_contains (path, unused_code));
        }
    }
  hub_test_hub_stop (hub);

  /* the rows hold the SHA-256 and nothing else of the secrets */
  db = hub_db_open (target, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      stmt = hub_db_prepare (db, checks[i][0], &error);
      g_assert_no_error (error);
      g_assert_true (hub_db_step (stmt, &error));
      g_assert_cmpstr (hub_db_column_text (stmt, 0), ==, checks[i][1]);
      hub_db_reset (stmt);
    }
  stmt = hub_db_prepare (db, "SELECT code_sha256 FROM enrol_codes", &error);
  g_assert_no_error (error);
  while (hub_db_step (stmt, &error))
    {
      const char *stored = hub_db_column_text (stmt, 0);

      g_assert_cmpuint (strlen (stored), ==, 64);
      g_assert_null (strstr (code, stored));
    }
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hub/access/users", test_users);
  g_test_add_func ("/hub/access/enrolment", test_enrolment);
  g_test_add_func ("/hub/access/learners", test_learners);
  g_test_add_func ("/hub/access/secrets-hashed", test_secrets_hashed);

  return g_test_run ();
}
