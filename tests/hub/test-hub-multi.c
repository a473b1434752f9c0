/* test-hub-multi.c — several hub processes on one database
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A county runs several hubs behind a reverse proxy on one PostgreSQL database (and a
 * township may run two on one SQLite folder while it upgrades). The hub keeps no state
 * outside its database, so a client may reach any of them for any request: statements
 * written through one are read through the other, a `more` link from one is followed on
 * the other, a re-send through the other changes nothing, and a conflicting one is refused
 * whichever hub stored the first.
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <string.h>

#include "hub-test-util.h"

#define N_BATCHES 20
#define BATCH     25

static char *
statement (const char *id,
           const char *activity,
           const char *verb)
{
  return g_strdup_printf ("{\"id\":\"%s\","
                          "\"actor\":{\"objectType\":\"Agent\",\"mbox\":\"mailto:multi@example.org\"},"
                          "\"verb\":{\"id\":\"%s\",\"display\":{\"en-US\":\"did\"}},"
                          "\"object\":{\"objectType\":\"Activity\",\"id\":\"%s\"}}",
                          id, verb, activity);
}

/* Follows `more` from @first, alternating between the two hubs, and counts each id seen. */
static void
read_all (HubTestHub  *hubs[2],
          const char  *first,
          GHashTable  *seen)
{
  g_autofree char *next = g_strdup (first);
  guint page = 0;

  while (next != NULL && page < 1000)
    {
      HubTestHub *hub = hubs[page % 2];
      g_autoptr(HubTestResponse) response = hub_test_admin (hub, "GET", next, NULL);
      json_object *statements, *more;

      hub_test_assert_status (response, 200);
      g_assert_nonnull (response->json);
      g_assert_true (json_object_object_get_ex (response->json, "statements", &statements));
      for (size_t i = 0; i < json_object_array_length (statements); i++)
        {
          json_object *id = json_object_object_get (json_object_array_get_idx (statements, i), "id");
          const char *text = json_object_get_string (id);

          g_hash_table_replace (seen, g_strdup (text),
                                GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (seen, text)) + 1));
        }
      g_clear_pointer (&next, g_free);
      if (json_object_object_get_ex (response->json, "more", &more) &&
          json_object_get_string_len (more) > 0)
        next = g_strdup (json_object_get_string (more));
      page++;
    }
  g_assert_null (next);
}

static void
test_two_hubs (void)
{
  g_autofree char *target = hub_test_new_target ();
  g_autofree char *activity = NULL;
  g_autofree char *verb = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  HubTestHub *hubs[2];
  g_autofree char *tag = g_uuid_string_random ();

  hubs[0] = hub_test_hub_start (target, NULL, NULL);
  hubs[1] = hub_test_hub_start (target, NULL, NULL);
  g_assert_cmpstr (hubs[0]->url, !=, hubs[1]->url);
  activity = g_strdup_printf ("http://example.org/multi/%s", tag);
  verb = g_strdup_printf ("http://example.org/verbs/%s", tag);

  /* batches written through both hubs at once: each hub's POST is sent while the other's
   * may be committing */
  for (guint b = 0; b < N_BATCHES; b++)
    {
      GString *body = g_string_new ("[");
      g_autoptr(HubTestResponse) response = NULL;

      for (guint i = 0; i < BATCH; i++)
        {
          char *id = g_uuid_string_random ();
          g_autofree char *one = statement (id, activity, verb);

          g_ptr_array_add (ids, id);
          g_string_append_printf (body, "%s%s", i > 0 ? "," : "", one);
        }
      g_string_append (body, "]");
      response = hub_test_admin (hubs[b % 2], "POST", "/xapi/statements", body->str);
      hub_test_assert_status (response, 200);
      g_assert_cmpuint (json_object_array_length (response->json), ==, BATCH);
      g_string_free (body, TRUE);
    }

  /* a re-send through the other hub changes nothing; different content is a conflict */
  for (guint i = 0; i < ids->len; i += 97)
    {
      g_autofree char *same = statement (ids->pdata[i], activity, verb);
      g_autofree char *different = statement (ids->pdata[i], activity, "http://example.org/verbs/other");
      g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s",
                                               (char *) ids->pdata[i]);
      g_autoptr(HubTestResponse) again = hub_test_admin (hubs[1], "PUT", path, same);
      g_autoptr(HubTestResponse) conflict = hub_test_admin (hubs[1], "PUT", path, different);

      hub_test_assert_status (again, 204);
      hub_test_assert_status (conflict, 409);
    }

  /* every statement read once, paging across both hubs, in pages of 30 */
  escaped = g_uri_escape_string (verb, NULL, TRUE);
  query = g_strdup_printf ("/xapi/statements?verb=%s&limit=30", escaped);
  read_all (hubs, query, seen);
  g_assert_cmpuint (g_hash_table_size (seen), ==, N_BATCHES * BATCH);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, ids->pdata[i])), ==, 1);

  /* each single statement through either hub */
  for (guint i = 0; i < ids->len; i += 50)
    for (guint h = 0; h < 2; h++)
      {
        g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s",
                                                 (char *) ids->pdata[i]);
        g_autoptr(HubTestResponse) response = hub_test_admin (hubs[h], "GET", path, NULL);

        hub_test_assert_status (response, 200);
      }

  hub_test_hub_stop (hubs[0]);
  hub_test_hub_stop (hubs[1]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hub/multi/two-hubs-one-database", test_two_hubs);
  return g_test_run ();
}
