/* test-classroom.c — classes, pupils, assignments, attendance, class quizzes, coach report
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-c/json.h>

#include "sy-coach-report.h"
#include "sy-store-private.h"
#include "sy-util.h"
#include "sy-xapi.h"
#include "test-util.h"

#define VERB_ATTENDED "http://adlnet.gov/expapi/verbs/attended"

typedef struct
{
  char      *dir;
  char      *data_dir;
  SyStore   *store;
  SyLearner *teacher;
  SyLearner *learner;       /* not a teacher */
} Fixture;

static SyStore *
open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SyStore *store = sy_store_new (dir);

  g_assert_true (sy_store_open (store, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = test_make_temp_dir ("classroom");
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->store = open_store (f->data_dir);
  test_install_tiny_course (f->store, f->dir);
  f->teacher = sy_store_add_learner_full (f->store, "王老师", SY_ROLE_TEACHER, "2468", NULL,
                                          NULL, &error);
  g_assert_no_error (error);
  f->learner = sy_store_add_learner (f->store, "Alice", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->teacher);
  g_clear_object (&f->learner);
  g_clear_object (&f->store);
  sy_rm_rf (f->dir, NULL);
  g_free (f->dir);
  g_free (f->data_dir);
}

static SyClass *
make_class (Fixture    *f,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  SyClass *klass = sy_store_create_class (f->store, sy_learner_get_uuid (f->teacher), name,
                                          NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (klass);
  return klass;
}

static GPtrArray *
add_pupils (Fixture    *f,
            SyClass    *klass,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *pupils;
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    g_ptr_array_add (names, (gpointer) name);
  va_end (args);
  g_ptr_array_add (names, NULL);

  pupils = sy_store_add_pupils (f->store, klass->uuid, (const char * const *) names->pdata, NULL,
                                &error);
  g_assert_no_error (error);
  return pupils;
}

static const char *
uuid_of (GPtrArray *learners,
         guint      index)
{
  return sy_learner_get_uuid (g_ptr_array_index (learners, index));
}

static char *
export_all (SyStore *store)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_store_export_statements (store, NULL, out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
put_json (gpointer json)
{
  json_object_put (json);
}

/* Every statement the store holds, each checked against xAPI 1.0.3. */
static GPtrArray *
valid_statements (SyStore *store)
{
  g_autofree char *text = export_all (store);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *list = g_ptr_array_new_with_free_func (put_json);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      json_object *st;

      if (lines[i][0] == '\0')
        continue;
      st = json_tokener_parse (lines[i]);
      g_assert_nonnull (st);
      sy_xapi_validate_statement (st, SY_XAPI_REQUIRE_ID, &error);
      if (error != NULL)
        g_test_message ("%s", lines[i]);
      g_assert_no_error (error);
      g_ptr_array_add (list, st);
    }
  return list;
}

static const char *
path_string (json_object *obj,
             ...)
{
  const char *key;
  va_list args;

  va_start (args, obj);
  while (obj != NULL && (key = va_arg (args, const char *)) != NULL)
    if (!json_object_object_get_ex (obj, key, &obj))
      obj = NULL;
  va_end (args);
  return obj ? json_object_get_string (obj) : NULL;
}

static guint
count_verb (GPtrArray  *statements,
            const char *verb)
{
  guint n = 0;

  for (guint i = 0; i < statements->len; i++)
    if (g_strcmp0 (path_string (g_ptr_array_index (statements, i), "verb", "id", NULL), verb) == 0)
      n++;
  return n;
}

/* ---- classes ---- */

static void
test_classes (Fixture       *f,
              gconstpointer  data)
{
  const char *teacher = sy_learner_get_uuid (f->teacher);
  g_autoptr(GError) error = NULL;
  g_autoptr(SyClass) one = NULL;
  g_autoptr(SyClass) two = NULL;
  g_autoptr(SyClass) bad = NULL;
  g_autoptr(GPtrArray) list = NULL;

  one = sy_store_create_class (f->store, teacher, "  三年级一班 ", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (one->uuid));
  g_assert_cmpstr (one->name, ==, "三年级一班");
  g_assert_cmpstr (one->teacher_uuid, ==, teacher);
  g_assert_cmpstr (one->teacher_name, ==, "王老师");
  g_assert_false (one->archived);
  g_assert_cmpuint (one->n_pupils, ==, 0);

  /* only teachers have classes */
  bad = sy_store_create_class (f->store, sy_learner_get_uuid (f->learner), "X", NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_assert_null (bad);
  g_clear_error (&error);
  bad = sy_store_create_class (f->store, "00000000-0000-4000-8000-000000000000", "X", NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  bad = sy_store_create_class (f->store, teacher, "   ", NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  bad = sy_store_create_class (f->store, teacher, "三年级一班", NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "三年级一班"));
  g_clear_error (&error);

  two = make_class (f, "二年级");
  g_assert_false (sy_store_rename_class (f->store, two->uuid, "三年级一班", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (sy_store_rename_class (f->store, two->uuid, "二年级二班", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (sy_store_rename_class (f->store, "nope", "Y", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = sy_store_list_classes (f->store, teacher, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  {
    g_autoptr(SyClass) got = sy_store_get_class (f->store, two->uuid, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (got->name, ==, "二年级二班");
    g_assert_null (sy_store_get_class (f->store, "nope", NULL, &error));
    g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* archived: hidden unless asked for, and its name free again */
  g_assert_true (sy_store_archive_class (f->store, one->uuid, TRUE, NULL, &error));
  g_assert_no_error (error);
  list = sy_store_list_classes (f->store, teacher, FALSE, NULL, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((SyClass *) g_ptr_array_index (list, 0))->name, ==, "二年级二班");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = sy_store_list_classes (f->store, NULL, TRUE, NULL, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_true (((SyClass *) g_ptr_array_index (list, 1))->archived);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_true (sy_store_archive_class (f->store, one->uuid, FALSE, NULL, &error));
  list = sy_store_list_classes (f->store, teacher, FALSE, NULL, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* another learner has no classes; an unknown one is an error */
  list = sy_store_list_classes (f->store, sy_learner_get_uuid (f->learner), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = sy_store_list_classes (f->store, "nobody", FALSE, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_assert_null (list);
}

/* ---- pupils ---- */

static void
test_pupils (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(SyClass) other = make_class (f, "三年级二班");
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) learners = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *dup_in_list[] = { "赵六", "  赵六", NULL };
  const char *dup_in_class[] = { "孙七", "李明", NULL };
  const char *blank[] = { "", "   ", NULL };
  const char *too_long[] = { "a\nb", NULL };

  added = add_pupils (f, klass, "李明", "  张伟  ", "", "   ", "王芳", NULL);
  g_assert_cmpuint (added->len, ==, 3);
  g_assert_cmpstr (sy_learner_get_name (g_ptr_array_index (added, 1)), ==, "张伟");

  /* duplicates refuse the whole list, saying which */
  again = sy_store_add_pupils (f->store, klass->uuid, dup_in_list, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "赵六"));
  g_assert_null (again);
  g_clear_error (&error);
  again = sy_store_add_pupils (f->store, klass->uuid, dup_in_class, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "李明"));
  g_clear_error (&error);
  again = sy_store_add_pupils (f->store, klass->uuid, blank, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  again = sy_store_add_pupils (f->store, klass->uuid, too_long, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  again = sy_store_add_pupils (f->store, "nope", dup_in_list, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the same name in another class is another pupil */
  again = add_pupils (f, other, "李明", NULL);
  g_assert_cmpuint (again->len, ==, 1);

  listed = sy_store_list_pupils (f->store, klass->uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SyLearner *pupil = g_ptr_array_index (listed, i);

      g_assert_cmpstr (sy_learner_get_uuid (pupil), ==, uuid_of (added, i));
      g_assert_cmpint (sy_learner_get_role (pupil), ==, SY_ROLE_LEARNER);
      g_assert_false (sy_learner_get_has_pin (pupil));
      g_assert_null (sy_learner_get_avatar (pupil));
    }

  /* pupils are learners: teacher, Alice, three pupils and one more */
  learners = sy_store_list_learners (f->store, NULL, &error);
  g_assert_cmpuint (learners->len, ==, 6);
  /* a pupil without a PIN passes the PIN check, as any profile without one */
  g_assert_true (sy_store_check_pin (f->store, uuid_of (added, 0), "", NULL, &error));

  /* avatars */
  g_assert_true (sy_store_set_avatar (f->store, uuid_of (added, 0), "panda", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sy_store_set_avatar (f->store, uuid_of (added, 1), "rocket-2", NULL, &error));
  for (guint i = 0; i < 6; i++)
    {
      static const char *bad[] = { "Panda", "../x", "", "2cat", "a b",
                                   "abcdefghijabcdefghijabcdefghijabc" };

      g_assert_false (sy_store_set_avatar (f->store, uuid_of (added, 2), bad[i], NULL, &error));
      g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_false (sy_store_set_avatar (f->store, "nobody", "panda", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sy_store_set_avatar (f->store, uuid_of (added, 1), NULL, NULL, &error));

  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = sy_store_list_pupils (f->store, klass->uuid, NULL, &error);
  g_assert_cmpstr (sy_learner_get_avatar (g_ptr_array_index (listed, 0)), ==, "panda");
  g_assert_null (sy_learner_get_avatar (g_ptr_array_index (listed, 1)));

  {
    g_autoptr(SyClass) reloaded = NULL;
    g_autoptr(GPtrArray) classes = sy_store_list_classes (f->store, NULL, FALSE, NULL, &error);

    for (guint i = 0; i < classes->len; i++)
      if (g_str_equal (((SyClass *) g_ptr_array_index (classes, i))->uuid, klass->uuid))
        g_assert_cmpuint (((SyClass *) g_ptr_array_index (classes, i))->n_pupils, ==, 3);
  }
}

/* ---- assignments ---- */

static void
test_assignments (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  SyClassAssignment *as;

  g_assert_true (sy_store_assign (f->store, klass->uuid, "tiny", "q1", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sy_store_assign (f->store, klass->uuid, "tiny", NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (sy_store_assign (f->store, klass->uuid, "tiny", "q1", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sy_store_assign (f->store, klass->uuid, "tiny", NULL, NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sy_store_assign (f->store, klass->uuid, "tiny", "nope", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sy_store_assign (f->store, klass->uuid, "nope", NULL, NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sy_store_assign (f->store, "nope", "tiny", NULL, NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = sy_store_list_assignments (f->store, klass->uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  as = g_ptr_array_index (list, 0);
  g_assert_cmpstr (as->course_id, ==, "tiny");
  g_assert_cmpstr (as->item_id, ==, "q1");
  g_assert_cmpint (as->item_type, ==, SY_ITEM_QUIZ);
  g_assert_cmpstr (sy_text_lookup (as->title, "en"), ==, "Quiz");
  g_assert_cmpstr (sy_text_lookup (as->course_title, "zh_CN"), ==, "小课");
  as = g_ptr_array_index (list, 1);
  g_assert_null (as->item_id);
  g_assert_cmpstr (sy_text_lookup (as->title, "zh_CN"), ==, "小课");
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_true (sy_store_unassign (f->store, klass->uuid, "tiny", "q1", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (sy_store_unassign (f->store, klass->uuid, "tiny", "q1", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = sy_store_list_assignments (f->store, klass->uuid, NULL, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_null (((SyClassAssignment *) g_ptr_array_index (list, 0))->item_id);
}

/* ---- sessions and attendance ---- */

static gboolean
is_present (SyStore    *store,
            const char *session_uuid,
            const char *learner_uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = sy_store_list_attendance (store, session_uuid, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SyAttendance *at = g_ptr_array_index (list, i);

      if (g_str_equal (at->learner_uuid, learner_uuid))
        return at->present;
    }
  g_assert_not_reached ();
  return FALSE;
}

static void
test_attendance (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) pupils = add_pupils (f, klass, "李明", "张伟", NULL);
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(SyClassSession) bad = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *activity = NULL;
  json_object *attended = NULL;

  session = sy_store_start_session (f->store, klass->uuid, "第一课", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (session->uuid));
  g_assert_cmpstr (session->class_uuid, ==, klass->uuid);
  g_assert_cmpstr (session->title, ==, "第一课");
  bad = sy_store_start_session (f->store, "nope", NULL, NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  sessions = sy_store_list_sessions (f->store, klass->uuid, NULL, &error);
  g_assert_cmpuint (sessions->len, ==, 1);

  /* nobody present until marked */
  list = sy_store_list_attendance (f->store, session->uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_false (((SyAttendance *) g_ptr_array_index (list, 0))->present);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* present, present again (nothing new), absent, present */
  g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0), TRUE,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_true (is_present (f->store, session->uuid, uuid_of (pupils, 0)));
  g_assert_false (is_present (f->store, session->uuid, uuid_of (pupils, 1)));
  g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0), TRUE,
                                          NULL, &error));
  g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0), FALSE,
                                          NULL, &error));
  g_assert_false (is_present (f->store, session->uuid, uuid_of (pupils, 0)));
  g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0), FALSE,
                                          NULL, &error));
  g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0), TRUE,
                                          NULL, &error));
  g_assert_true (is_present (f->store, session->uuid, uuid_of (pupils, 0)));

  /* only the class's pupils */
  g_assert_false (sy_store_set_attendance (f->store, session->uuid,
                                           sy_learner_get_uuid (f->learner), TRUE, NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sy_store_set_attendance (f->store, "nope", uuid_of (pupils, 0), TRUE, NULL,
                                           &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* two attended statements, one voided: never an edit */
  statements = valid_statements (f->store);
  g_assert_cmpuint (statements->len, ==, 3);
  g_assert_cmpuint (count_verb (statements, VERB_ATTENDED), ==, 2);
  g_assert_cmpuint (count_verb (statements, "http://adlnet.gov/expapi/verbs/voided"), ==, 1);

  activity = sy_class_session_iri (klass->uuid, session->uuid);
  g_assert_true (g_str_has_prefix (activity, "https://shuyuan.invalid/xapi/class/"));
  for (guint i = 0; i < statements->len; i++)
    {
      json_object *st = g_ptr_array_index (statements, i);

      g_assert_cmpstr (path_string (st, "actor", "account", "name", NULL), ==, uuid_of (pupils, 0));
      g_assert_cmpstr (path_string (st, "context", "instructor", "account", "name", NULL), ==,
                       sy_learner_get_uuid (f->teacher));
      g_assert_cmpstr (path_string (st, "context", "instructor", "name", NULL), ==, "王老师");
      g_assert_cmpstr (path_string (st, "context", "team", "objectType", NULL), ==, "Group");
      g_assert_cmpstr (path_string (st, "context", "team", "account", "name", NULL), ==,
                       klass->uuid);
      g_assert_cmpstr (path_string (st, "context", "team", "account", "homePage", NULL), ==,
                       path_string (st, "actor", "account", "homePage", NULL));
      g_assert_cmpstr (path_string (st, "context", "registration", NULL), ==, session->uuid);
      if (g_strcmp0 (path_string (st, "verb", "id", NULL), VERB_ATTENDED) == 0)
        attended = st;
    }
  g_assert_nonnull (attended);
  g_assert_cmpstr (path_string (attended, "object", "id", NULL), ==, activity);
  g_assert_cmpstr (path_string (attended, "object", "definition", "type", NULL), ==,
                   "http://adlnet.gov/expapi/activities/meeting");
  g_assert_nonnull (strstr (path_string (attended, "object", "definition", "name", "und", NULL),
                            "三年级一班"));
  g_test_message ("attended: %s", json_object_to_json_string_ext (attended,
                                                                   JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The same statements in every order, once or twice, give the same attendance. */
static void
test_attendance_any_order (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) pupils = add_pupils (f, klass, "李明", "张伟", NULL);
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_build_filename (f->dir, "template", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) st = g_ptr_array_new ();
  static const int orders[6][3] = {
    { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
  };

  session = sy_store_start_session (f->store, klass->uuid, NULL, NULL, &error);
  g_assert_no_error (error);

  /* a copy of the store with the class and session, before any statement */
  g_clear_object (&f->store);
  test_copy_tree (f->data_dir, template);
  f->store = open_store (f->data_dir);

  /* present (S1), absent (voids S1), present (S2) */
  for (int i = 0; i < 3; i++)
    {
      g_assert_true (sy_store_set_attendance (f->store, session->uuid, uuid_of (pupils, 0),
                                              i != 1, NULL, &error));
      g_assert_no_error (error);
    }
  text = export_all (f->store);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (st, lines[i]);
  g_assert_cmpuint (st->len, ==, 3);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    for (guint twice = 0; twice < 2; twice++)
      {
        g_autofree char *dir = g_strdup_printf ("%s/order-%u-%u", f->dir, o, twice);
        g_autoptr(SyStore) store = NULL;

        test_copy_tree (template, dir);
        store = open_store (dir);
        for (guint pass = 0; pass <= twice; pass++)
          for (guint k = 0; k < 3; k++)
            {
              const char *line = g_ptr_array_index (st, orders[o][k]);
              /* twice: the second pass sends each statement with a duplicate in the file */
              g_autofree char *input = twice ? g_strdup_printf ("%s\n%s\n", line, line)
                                             : g_strdup_printf ("%s\n", line);
              g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (input, -1, NULL);

              g_assert_true (sy_store_import_statements (store, in, NULL, NULL, NULL, &error));
              g_assert_no_error (error);
            }
        g_assert_true (is_present (store, session->uuid, uuid_of (pupils, 0)));
        g_assert_false (is_present (store, session->uuid, uuid_of (pupils, 1)));

        /* and without the last "present": absent, in either order */
        if (twice == 0 && o < 2)
          {
            g_autofree char *dir2 = g_strdup_printf ("%s/order-absent-%u", f->dir, o);
            g_autoptr(SyStore) store2 = NULL;

            test_copy_tree (template, dir2);
            store2 = open_store (dir2);
            for (guint k = 0; k < 2; k++)
              {
                const char *line = g_ptr_array_index (st, o == 0 ? k : 1 - k);
                g_autofree char *input = g_strdup_printf ("%s\n", line);
                g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (input, -1, NULL);

                g_assert_true (sy_store_import_statements (store2, in, NULL, NULL, NULL, &error));
              }
            g_assert_false (is_present (store2, session->uuid, uuid_of (pupils, 0)));
          }
      }
}

/* ---- class quizzes ---- */

static SyClassAnswer
answer (Fixture        *f,
        SyClassSession *session,
        GPtrArray      *pupils,
        guint           pupil,
        const char     *question,
        const char     *response)
{
  g_autoptr(GError) error = NULL;
  SyClassAnswer result;

  result = sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, pupil), "tiny",
                                         "q1", question, response, NULL, &error);
  g_assert_no_error (error);
  return result;
}

static SyStatus
item_status (SyStore    *store,
             const char *learner_uuid,
             const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (store, "tiny", learner_uuid, NULL, &error);

  g_assert_no_error (error);
  for (guint m = 0; m < sy_course_get_modules (course)->len; m++)
    {
      SyModule *module = g_ptr_array_index (sy_course_get_modules (course), m);

      for (guint i = 0; i < module->items->len; i++)
        {
          SyItem *item = g_ptr_array_index (module->items, i);

          if (g_str_equal (item->id, item_id))
            return item->status;
        }
    }
  g_assert_not_reached ();
  return SY_STATUS_NOT_STARTED;
}

/* Pupils 0 and 1 take quiz q1 in @session: 0 gets both right, 1 both wrong (changing
 * the first answer from right to wrong); 2 is absent. */
static GPtrArray *
run_class_quiz (Fixture        *f,
                SyClassSession *session,
                GPtrArray      *pupils)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  g_assert_cmpint (answer (f, session, pupils, 0, "a", "true"), ==, SY_CLASS_ANSWER_RIGHT);
  g_assert_cmpint (answer (f, session, pupils, 1, "a", "true"), ==, SY_CLASS_ANSWER_RIGHT);
  g_assert_cmpint (answer (f, session, pupils, 2, "a", NULL), ==, SY_CLASS_ANSWER_ABSENT);
  g_assert_cmpint (answer (f, session, pupils, 1, "a", "false"), ==, SY_CLASS_ANSWER_WRONG);
  g_assert_cmpint (answer (f, session, pupils, 0, "b", "false"), ==, SY_CLASS_ANSWER_RIGHT);
  g_assert_cmpint (answer (f, session, pupils, 1, "b", "true"), ==, SY_CLASS_ANSWER_WRONG);
  g_assert_cmpint (answer (f, session, pupils, 2, "b", NULL), ==, SY_CLASS_ANSWER_ABSENT);

  results = sy_store_finish_class_quiz (f->store, session->uuid, "tiny", "q1", NULL, &error);
  g_assert_no_error (error);
  return results;
}

static void
test_class_quiz (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) pupils = add_pupils (f, klass, "李明", "张伟", "王芳", NULL);
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(GPtrArray) progress = NULL;
  g_autoptr(GError) error = NULL;
  SyClassQuizResult *r;
  SyAttempt *attempt;
  guint n_statements;

  session = sy_store_start_session (f->store, klass->uuid, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the lesson done alone: passing the quiz in class completes the course */
  {
    SyEvent event;
    g_autofree char *id = NULL;

    sy_event_init (&event);
    event.learner_uuid = uuid_of (pupils, 0);
    event.course_id = "tiny";
    event.item_id = "l1";
    event.verb = SY_VERB_COMPLETED;
    id = sy_store_record (f->store, &event, NULL, &error);
    g_assert_no_error (error);
  }

  /* wrong questions, responses and items say so, and record nothing */
  g_assert_cmpint (sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, 0),
                                                 "tiny", "q1", "zz", "true", NULL, &error),
                   ==, SY_CLASS_ANSWER_FAILED);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, 0),
                                                 "tiny", "q1", "a", "maybe", NULL, &error),
                   ==, SY_CLASS_ANSWER_FAILED);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, 0),
                                                 "tiny", "l1", "a", "true", NULL, &error),
                   ==, SY_CLASS_ANSWER_FAILED);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (sy_store_record_class_answer (f->store, session->uuid,
                                                 sy_learner_get_uuid (f->learner), "tiny", "q1",
                                                 "a", "true", NULL, &error),
                   ==, SY_CLASS_ANSWER_FAILED);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  results = run_class_quiz (f, session, pupils);
  g_assert_cmpuint (results->len, ==, 2);   /* the absent pupil has no result */
  r = g_ptr_array_index (results, 0);
  g_assert_cmpstr (r->learner_uuid, ==, uuid_of (pupils, 0));
  g_assert_cmpuint (r->n_right, ==, 2);
  g_assert_cmpuint (r->n_answered, ==, 2);
  g_assert_cmpuint (r->n_questions, ==, 2);
  g_assert_cmpfloat (r->score, ==, 1.0);
  g_assert_true (r->passed);
  r = g_ptr_array_index (results, 1);
  g_assert_cmpstr (r->name, ==, "张伟");
  g_assert_cmpuint (r->n_right, ==, 0);
  g_assert_cmpfloat (r->score, ==, 0.0);
  g_assert_false (r->passed);

  /* each pupil's own progress: as if they had taken the quiz alone */
  g_assert_cmpint (item_status (f->store, uuid_of (pupils, 0), "q1"), ==, SY_STATUS_PASSED);
  g_assert_cmpint (item_status (f->store, uuid_of (pupils, 1), "q1"), ==, SY_STATUS_IN_PROGRESS);
  g_assert_cmpint (item_status (f->store, uuid_of (pupils, 2), "q1"), ==, SY_STATUS_NOT_STARTED);
  attempts = sy_store_list_attempts (f->store, uuid_of (pupils, 1), "tiny", "q1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attempts->len, ==, 1);
  attempt = g_ptr_array_index (attempts, 0);
  g_assert_true (attempt->finished);
  g_assert_false (attempt->passed);
  g_assert_cmpfloat (attempt->score, ==, 0.0);
  g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "a"), ==, "false");
  g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "b"), ==, "true");
  progress = sy_store_list_progress (f->store, uuid_of (pupils, 0), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (((SyCourseProgress *) g_ptr_array_index (progress, 0))->completed);

  /* every statement valid; the teacher is the instructor of the quiz's */
  statements = valid_statements (f->store);
  n_statements = statements->len;
  /* 1 lesson + 2 × (attempted + answers + result) + the course's completion */
  g_assert_cmpuint (n_statements, ==, 1 + (1 + 2 + 1) + (1 + 3 + 1) + 1);
  for (guint i = 0; i < statements->len; i++)
    {
      json_object *st = g_ptr_array_index (statements, i);
      const char *verb = path_string (st, "verb", "id", NULL);

      g_assert_cmpstr (path_string (st, "actor", "account", "name", NULL), !=, uuid_of (pupils, 2));
      if (g_str_has_suffix (verb, "/answered") || g_str_has_suffix (verb, "/attempted") ||
          g_str_has_suffix (verb, "/passed") || g_str_has_suffix (verb, "/failed"))
        {
          g_assert_cmpstr (path_string (st, "context", "instructor", "account", "name", NULL),
                           ==, sy_learner_get_uuid (f->teacher));
          g_assert_cmpstr (path_string (st, "context", "team", "account", "name", NULL), ==,
                           klass->uuid);
        }
      if (g_str_has_suffix (verb, "/answered") && i == statements->len - 1)
        g_test_message ("answered: %s", json_object_to_json_string_ext (st, JSON_C_TO_STRING_PLAIN |
                                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    }

  /* finishing again records nothing; answering again is refused */
  again = sy_store_finish_class_quiz (f->store, session->uuid, "tiny", "q1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_cmpstr (((SyClassQuizResult *) g_ptr_array_index (again, 0))->statement_id, ==,
                   ((SyClassQuizResult *) g_ptr_array_index (results, 0))->statement_id);
  g_assert_cmpint (sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, 0),
                                                 "tiny", "q1", "a", "true", NULL, &error),
                   ==, SY_CLASS_ANSWER_FAILED);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) after = valid_statements (f->store);
    g_assert_cmpuint (after->len, ==, n_statements);
  }
}

static void
test_class_quiz_attempt_limit (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) pupils = add_pupils (f, klass, "李明", NULL);
  g_autoptr(GError) error = NULL;

  /* q1 allows 3 attempts: the fourth class quiz is refused for that pupil */
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(SyClassSession) session = sy_store_start_session (f->store, klass->uuid, NULL,
                                                                  NULL, &error);
      g_autoptr(GPtrArray) results = NULL;
      SyClassAnswer a;

      g_assert_no_error (error);
      a = sy_store_record_class_answer (f->store, session->uuid, uuid_of (pupils, 0), "tiny",
                                        "q1", "a", "false", NULL, &error);
      if (i < 3)
        {
          g_assert_no_error (error);
          g_assert_cmpint (a, ==, SY_CLASS_ANSWER_WRONG);
          results = sy_store_finish_class_quiz (f->store, session->uuid, "tiny", "q1", NULL,
                                                &error);
          g_assert_no_error (error);
          g_assert_cmpuint (results->len, ==, 1);
        }
      else
        {
          g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NO_ATTEMPTS_LEFT);
          g_assert_nonnull (strstr (error->message, "李明"));
          g_assert_cmpint (a, ==, SY_CLASS_ANSWER_FAILED);
        }
    }
}

/* ---- the coach report ---- */

static gboolean
have_poppler (void)
{
  g_autofree char *a = g_find_program_in_path ("pdftotext");
  g_autofree char *b = g_find_program_in_path ("pdftoppm");

  return a != NULL && b != NULL;
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
render_pdf (const char *path,
            const char *dir)
{
  g_autofree char *prefix = g_build_filename (dir, "page", NULL);
  g_autofree char *first = g_build_filename (dir, "page-1.png", NULL);
  const char *argv[] = { "pdftoppm", "-r", "40", "-png", path, prefix, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_test (first, G_FILE_TEST_EXISTS));
}

static void
test_coach_report (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SyClass) klass = make_class (f, "三年级一班");
  g_autoptr(GPtrArray) pupils = add_pupils (f, klass, "李明", "张伟", "王芳", "赵六", NULL);
  g_autoptr(SyClassSession) first = NULL;
  g_autoptr(SyClassSession) second = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) results2 = NULL;
  g_autoptr(SyCoachReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);
  const SyCoachCell *cell;
  SyMissedQuestion *mq;

  g_assert_true (sy_store_assign (f->store, klass->uuid, "tiny", NULL, NULL, &error));
  g_assert_true (sy_store_assign (f->store, klass->uuid, "tiny", "q1", NULL, &error));
  g_assert_no_error (error);

  first = sy_store_start_session (f->store, klass->uuid, NULL, NULL, &error);
  results = run_class_quiz (f, first, pupils);
  /* 王芳 takes it in another session: a right, b wrong */
  second = sy_store_start_session (f->store, klass->uuid, NULL, NULL, &error);
  g_assert_cmpint (answer (f, second, pupils, 2, "a", "true"), ==, SY_CLASS_ANSWER_RIGHT);
  g_assert_cmpint (answer (f, second, pupils, 2, "b", "true"), ==, SY_CLASS_ANSWER_WRONG);
  results2 = sy_store_finish_class_quiz (f->store, second->uuid, "tiny", "q1", NULL, &error);
  g_assert_no_error (error);
  /* 李明 finished the lesson on their own */
  {
    SyEvent event;
    g_autofree char *id = NULL;

    sy_event_init (&event);
    event.learner_uuid = uuid_of (pupils, 0);
    event.course_id = "tiny";
    event.item_id = "l1";
    event.verb = SY_VERB_COMPLETED;
    id = sy_store_record (f->store, &event, NULL, &error);
    g_assert_no_error (error);
  }

  report = sy_store_coach_report (f->store, klass->uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->class_info->name, ==, "三年级一班");
  g_assert_cmpuint (report->pupils->len, ==, 4);
  /* the course's two items, the quiz not twice */
  g_assert_cmpuint (report->items->len, ==, 2);
  g_assert_cmpstr (((SyCoachItem *) g_ptr_array_index (report->items, 0))->item_id, ==, "l1");
  g_assert_cmpstr (((SyCoachItem *) g_ptr_array_index (report->items, 1))->item_id, ==, "q1");

  cell = sy_coach_report_get_cell (report, 0, 0);
  g_assert_cmpint (cell->status, ==, SY_STATUS_COMPLETED);
  cell = sy_coach_report_get_cell (report, 0, 1);
  g_assert_cmpint (cell->status, ==, SY_STATUS_PASSED);
  g_assert_cmpfloat (cell->best_score, ==, 1.0);
  cell = sy_coach_report_get_cell (report, 1, 1);
  g_assert_cmpint (cell->status, ==, SY_STATUS_IN_PROGRESS);
  g_assert_cmpfloat (cell->best_score, ==, 0.0);
  cell = sy_coach_report_get_cell (report, 2, 1);
  g_assert_cmpint (cell->status, ==, SY_STATUS_PASSED);   /* 1 of 2 and the pass mark is 50% */
  g_assert_cmpfloat (cell->best_score, ==, 0.5);
  cell = sy_coach_report_get_cell (report, 3, 1);
  g_assert_cmpint (cell->status, ==, SY_STATUS_NOT_STARTED);
  g_assert_cmpfloat (cell->best_score, <, 0);
  cell = sy_coach_report_get_cell (report, 1, 0);
  g_assert_cmpint (cell->status, ==, SY_STATUS_NOT_STARTED);

  /* b: wrong for 张伟 and 王芳; a: wrong for 张伟 only (his changed answer counts) */
  g_assert_cmpuint (report->missed->len, ==, 2);
  mq = g_ptr_array_index (report->missed, 0);
  g_assert_cmpstr (mq->question_id, ==, "b");
  g_assert_cmpuint (mq->n_wrong, ==, 2);
  g_assert_cmpuint (mq->n_answered, ==, 3);
  g_assert_nonnull (mq->prompt);
  mq = g_ptr_array_index (report->missed, 1);
  g_assert_cmpstr (mq->question_id, ==, "a");
  g_assert_cmpuint (mq->n_wrong, ==, 1);
  g_assert_cmpuint (mq->n_answered, ==, 3);

  g_assert_cmpuint (report->not_started->len, ==, 1);
  g_assert_cmpstr (((SyCoachPupil *) g_ptr_array_index (report->not_started, 0))->name, ==, "赵六");

  /* printable */
  g_assert_true (sy_store_write_coach_report (f->store, klass->uuid, pdf, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_EXISTS));
  if (have_poppler ())
    {
      g_autofree char *text = pdf_text (pdf);

      g_assert_nonnull (strstr (text, "三年级一班"));
      g_assert_nonnull (strstr (text, "李明"));
      g_assert_nonnull (strstr (text, "张伟"));
      g_assert_nonnull (strstr (text, "赵六"));
      g_assert_nonnull (strstr (text, "王老师"));
      render_pdf (pdf, f->dir);
    }
  else
    g_test_message ("pdftotext or pdftoppm missing: the PDF's text is not checked");

  {
    g_autoptr(SyCoachReport) none = sy_store_coach_report (f->store, "nope", NULL, &error);
    g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
    g_assert_null (none);
  }
}

/* A big class with many items goes on several pages, names and titles on each. */
static void
test_coach_report_pages (void)
{
  g_autofree char *dir = test_make_temp_dir ("coach-pages");
  g_autofree char *pdf = g_build_filename (dir, "big.pdf", NULL);
  g_autoptr(SyCoachReport) report = g_new0 (SyCoachReport, 1);
  g_autoptr(GError) error = NULL;
  const guint n_pupils = 45, n_items = 15;

  report->class_info = g_new0 (SyClass, 1);
  report->class_info->uuid = g_uuid_string_random ();
  report->class_info->name = g_strdup ("四年级大班");
  report->class_info->teacher_name = g_strdup ("王老师");
  report->generated = g_strdup ("2026-11-23T08:00:00Z");
  report->pupils = g_ptr_array_new_with_free_func (g_free);
  report->items = g_ptr_array_new_with_free_func (g_free);
  report->missed = g_ptr_array_new ();
  report->not_started = g_ptr_array_new ();

  /* the free functions are the store's: build only what they free alike (g_free) */
  for (guint i = 0; i < n_pupils; i++)
    {
      SyCoachPupil *p = g_new0 (SyCoachPupil, 1);

      p->name = g_strdup_printf ("学生%02u", i + 1);
      g_ptr_array_add (report->pupils, p);
    }
  for (guint i = 0; i < n_items; i++)
    {
      SyCoachItem *item = g_new0 (SyCoachItem, 1);
      g_autofree char *title = g_strdup_printf ("第%u课：一个相当长的标题", i + 1);

      item->item_id = g_strdup_printf ("item-%u", i);
      item->title = sy_text_new_from_string (title);
      g_ptr_array_add (report->items, item);
    }
  report->cells = g_new0 (SyCoachCell, n_pupils * n_items);
  for (guint i = 0; i < n_pupils * n_items; i++)
    {
      report->cells[i].status = i % 4;
      report->cells[i].best_score = i % 3 ? 0.75 : -1;
    }

  g_assert_true (sy_coach_report_write_pdf (report, pdf, &error));
  g_assert_no_error (error);

  if (have_poppler ())
    {
      g_autofree char *text = pdf_text (pdf);
      g_auto(GStrv) pages = g_strsplit (text, "\f", -1);

      guint with_last = 0;

      /* 45 rows take two pages for the first 12 items; the last 3 items follow, with every
       * name again */
      g_assert_cmpuint (g_strv_length (pages) - 1, >=, 3);
      g_assert_nonnull (strstr (pages[0], "学生01"));
      g_assert_null (strstr (pages[0], "学生45"));
      g_assert_nonnull (strstr (pages[0], "第12课"));
      g_assert_null (strstr (pages[0], "第13课"));
      for (guint i = 0; pages[i]; i++)
        if (strstr (pages[i], "学生45"))
          with_last++;
      g_assert_cmpuint (with_last, ==, 2);
      g_assert_nonnull (strstr (text, "第15课"));
      render_pdf (pdf, dir);
    }

  /* what was built by hand is freed by hand */
  for (guint i = 0; i < n_pupils; i++)
    g_free (((SyCoachPupil *) g_ptr_array_index (report->pupils, i))->name);
  for (guint i = 0; i < n_items; i++)
    {
      SyCoachItem *item = g_ptr_array_index (report->items, i);
      g_free (item->item_id);
      sy_text_unref (item->title);
    }
  sy_rm_rf (dir, NULL);
}

/* ---- the async API the UI uses ---- */

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  const char *names[] = { "李明", "张伟", NULL };
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GAsyncResult) r5 = NULL;
  g_autoptr(GAsyncResult) r6 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) pupils = NULL;
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(GPtrArray) attendance = NULL;

  sy_store_create_class_async (f->store, sy_learner_get_uuid (f->teacher), "三年级一班", NULL,
                               got_result, &r1);
  klass = sy_store_create_class_finish (f->store, wait_for (&r1), &error);
  g_assert_no_error (error);

  sy_store_add_pupils_async (f->store, klass->uuid, names, NULL, got_result, &r2);
  pupils = sy_store_add_pupils_finish (f->store, wait_for (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pupils->len, ==, 2);

  sy_store_start_session_async (f->store, klass->uuid, NULL, NULL, got_result, &r3);
  session = sy_store_start_session_finish (f->store, wait_for (&r3), &error);
  g_assert_no_error (error);

  sy_store_set_attendance_async (f->store, session->uuid, uuid_of (pupils, 1), TRUE, NULL,
                                 got_result, &r4);
  g_assert_true (sy_store_set_attendance_finish (f->store, wait_for (&r4), &error));
  g_assert_no_error (error);

  sy_store_list_attendance_async (f->store, session->uuid, NULL, got_result, &r5);
  attendance = sy_store_list_attendance_finish (f->store, wait_for (&r5), &error);
  g_assert_no_error (error);
  g_assert_false (((SyAttendance *) g_ptr_array_index (attendance, 0))->present);
  g_assert_true (((SyAttendance *) g_ptr_array_index (attendance, 1))->present);

  sy_store_record_class_answer_async (f->store, session->uuid, uuid_of (pupils, 0), "tiny", "q1",
                                      "a", "true", NULL, got_result, &r6);
  g_assert_cmpint (sy_store_record_class_answer_finish (f->store, wait_for (&r6), &error), ==,
                   SY_CLASS_ANSWER_RIGHT);
  g_assert_no_error (error);
}

/* ---- a store from version 2 ---- */

static void
test_migrate_from_v2 (void)
{
  g_autofree char *dir = test_make_temp_dir ("classroom-v2");
  g_autofree char *path = g_build_filename (dir, SY_STORE_DB_NAME, NULL);
  g_autoptr(SyStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) learners = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) classes = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_true (_sy_store_migrate (db, 2, &error));
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO learners (uuid, name, role, pin_hash, created) VALUES "
                                 " ('3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b', '王老师', 'teacher',"
                                 "  '$argon2id$x', '2026-01-02T00:00:00Z'),"
                                 " ('0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01', '李明', 'learner', NULL,"
                                 "  '2026-01-02T00:00:00Z');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = open_store (dir);
  learners = sy_store_list_learners (store, NULL, &error);
  g_assert_cmpuint (learners->len, ==, 2);
  g_assert_null (sy_learner_get_avatar (g_ptr_array_index (learners, 0)));
  klass = sy_store_create_class (store, "3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b", "一班", NULL,
                                 &error);
  g_assert_no_error (error);
  classes = sy_store_list_classes (store, NULL, FALSE, NULL, &error);
  g_assert_cmpuint (classes->len, ==, 1);
  g_clear_object (&store);
  sy_rm_rf (dir, NULL);
}

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options (void);

/* As in test-certificate.c: full stacks, so cairo's known leak in writing a CJK font
 * (tests/lsan.supp) is matched by its caller's name. */
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/classroom/classes", test_classes);
  ADD ("/classroom/pupils", test_pupils);
  ADD ("/classroom/assignments", test_assignments);
  ADD ("/classroom/attendance/toggle", test_attendance);
  ADD ("/classroom/attendance/any-order", test_attendance_any_order);
  ADD ("/classroom/quiz/answers", test_class_quiz);
  ADD ("/classroom/quiz/attempt-limit", test_class_quiz_attempt_limit);
  ADD ("/classroom/report/numbers-and-pdf", test_coach_report);
  ADD ("/classroom/async", test_async);
#undef ADD
  g_test_add_func ("/classroom/report/pages", test_coach_report_pages);
  g_test_add_func ("/classroom/migrate/from-v2", test_migrate_from_v2);

  return g_test_run ();
}
