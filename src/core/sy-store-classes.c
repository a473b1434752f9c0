/* sy-store-classes.c — classrooms: classes, pupils, assignments, sessions, attendance,
 * class quizzes and the coach report
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Who is in which class is this PC's business (tables, not synced). What happens in a
 * class is learning, so it is recorded as statements like everything else: attendance is
 * an `attended` statement about the session (marking a pupil absent again voids it), and a
 * class quiz makes for each pupil the very statements the pupil would make alone, with the
 * teacher as context.instructor and the class as context.team. What the teacher sees is a
 * projection of those statements, so it survives sync, duplicates and any order.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"


#include "sy-coach-report.h"
#include "sy-i18n.h"
#include "sy-quiz.h"
#include "sy-store-private.h"
#include "sy-util.h"

#define VERB_ANSWERED "http://adlnet.gov/expapi/verbs/answered"
#define VERB_ATTENDED "http://adlnet.gov/expapi/verbs/attended"
#define SCORE_EPSILON 1e-9
/* A class quiz's time on task is the time from a pupil's first answer to the end, capped
 * so a quiz left open over lunch does not count as hours of study. */
#define CLASS_QUIZ_MAX_SECONDS (2 * 3600.0)
#define MAX_NAME_CHARS 100
#define MAX_PUPILS 200

/* ---- the data types ---- */

void
sy_class_free (SyClass *klass)
{
  if (klass == NULL)
    return;
  g_free (klass->uuid);
  g_free (klass->name);
  g_free (klass->teacher_uuid);
  g_free (klass->teacher_name);
  g_free (klass->created);
  g_free (klass);
}

void
sy_class_assignment_free (SyClassAssignment *assignment)
{
  if (assignment == NULL)
    return;
  g_free (assignment->course_id);
  g_free (assignment->item_id);
  g_clear_pointer (&assignment->title, sy_text_unref);
  g_clear_pointer (&assignment->course_title, sy_text_unref);
  g_free (assignment->assigned);
  g_free (assignment);
}

void
sy_class_session_free (SyClassSession *session)
{
  if (session == NULL)
    return;
  g_free (session->uuid);
  g_free (session->class_uuid);
  g_free (session->started);
  g_free (session->title);
  g_free (session);
}

void
sy_attendance_free (SyAttendance *attendance)
{
  if (attendance == NULL)
    return;
  g_free (attendance->learner_uuid);
  g_free (attendance->name);
  g_free (attendance->avatar);
  g_free (attendance->statement_id);
  g_free (attendance);
}

void
sy_class_quiz_result_free (SyClassQuizResult *result)
{
  if (result == NULL)
    return;
  g_free (result->learner_uuid);
  g_free (result->name);
  g_free (result->registration);
  g_free (result->statement_id);
  g_free (result);
}

static void
coach_pupil_free (SyCoachPupil *pupil)
{
  g_free (pupil->uuid);
  g_free (pupil->name);
  g_free (pupil->avatar);
  g_free (pupil);
}

static void
coach_item_free (SyCoachItem *item)
{
  g_free (item->course_id);
  g_free (item->item_id);
  g_clear_pointer (&item->title, sy_text_unref);
  g_clear_pointer (&item->course_title, sy_text_unref);
  g_free (item);
}

static void
missed_question_free (SyMissedQuestion *q)
{
  g_free (q->course_id);
  g_free (q->item_id);
  g_free (q->question_id);
  g_clear_pointer (&q->quiz_title, sy_text_unref);
  g_clear_pointer (&q->prompt, sy_text_unref);
  g_free (q);
}

void
sy_coach_report_free (SyCoachReport *report)
{
  if (report == NULL)
    return;
  sy_class_free (report->class_info);
  g_free (report->generated);
  g_clear_pointer (&report->not_started, g_ptr_array_unref);
  g_clear_pointer (&report->pupils, g_ptr_array_unref);
  g_clear_pointer (&report->items, g_ptr_array_unref);
  g_clear_pointer (&report->missed, g_ptr_array_unref);
  g_free (report->cells);
  g_free (report);
}

/**
 * sy_coach_report_get_cell:
 * @pupil: an index into @report->pupils
 * @item: an index into @report->items
 *
 * Returns: (transfer none): how the pupil stands on the item
 */
const SyCoachCell *
sy_coach_report_get_cell (const SyCoachReport *report,
                          guint                pupil,
                          guint                item)
{
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (pupil < report->pupils->len && item < report->items->len, NULL);
  return &report->cells[pupil * report->items->len + item];
}

/* ---- job arguments: one shape for every classroom job ----
 *
 * A public call fills one on its stack with the caller's strings; the worker's copy
 * (args_copy) owns its own. */

typedef struct
{
  const char         *class_uuid;
  const char         *teacher_uuid;
  const char         *learner_uuid;
  const char         *session_uuid;
  const char         *course_id;
  const char         *item_id;
  const char         *question_id;
  const char         *name;
  const char         *response;
  const char         *path;
  const char * const *names;
  gboolean            flag;
} Args;

static void
args_free (Args *a)
{
  g_free ((char *) a->class_uuid);
  g_free ((char *) a->teacher_uuid);
  g_free ((char *) a->learner_uuid);
  g_free ((char *) a->session_uuid);
  g_free ((char *) a->course_id);
  g_free ((char *) a->item_id);
  g_free ((char *) a->question_id);
  g_free ((char *) a->name);
  g_free ((char *) a->response);
  g_free ((char *) a->path);
  g_strfreev ((GStrv) a->names);
  g_free (a);
}

static Args *
args_copy (const Args *in)
{
  Args *a = g_new0 (Args, 1);

  a->class_uuid = g_strdup (in->class_uuid);
  a->teacher_uuid = g_strdup (in->teacher_uuid);
  a->learner_uuid = g_strdup (in->learner_uuid);
  a->session_uuid = g_strdup (in->session_uuid);
  a->course_id = g_strdup (in->course_id);
  a->item_id = g_strdup (in->item_id);
  a->question_id = g_strdup (in->question_id);
  a->name = g_strdup (in->name);
  a->response = g_strdup (in->response);
  a->path = g_strdup (in->path);
  a->names = (const char * const *) g_strdupv ((GStrv) in->names);
  a->flag = in->flag;
  return a;
}

/* ---- helpers ---- */

static gpointer
db_fail (sqlite3  *db,
         GError  **error)
{
  _sy_store_db_error (db, error);
  return NULL;
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  if (sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* Runs @sql with up to three text parameters and no result rows. */
static gboolean
exec_bound (sqlite3     *db,
            const char  *sql,
            const char  *p1,
            const char  *p2,
            const char  *p3,
            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!prepare (db, sql, &stmt, error))
    return FALSE;
  bind_text (stmt, 1, p1);
  bind_text (stmt, 2, p2);
  bind_text (stmt, 3, p3);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

/* The first column of the first row as an integer, or -1 with @error set. */
static gint64
query_int (sqlite3     *db,
           const char  *sql,
           const char  *p1,
           const char  *p2,
           const char  *p3,
           GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 value = 0;
  int rc;

  if (!prepare (db, sql, &stmt, error))
    return -1;
  bind_text (stmt, 1, p1);
  bind_text (stmt, 2, p2);
  bind_text (stmt, 3, p3);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _sy_store_db_error (db, error);
      return -1;
    }
  return value;
}

static gboolean
begin (sqlite3  *db,
       GError  **error)
{
  return _sy_store_exec (db, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (sqlite3  *db,
        GError  **error)
{
  if (!_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static gpointer
rollback (sqlite3 *db)
{
  _sy_store_exec (db, "ROLLBACK", NULL);
  return NULL;
}

/* Trimmed, 1 to 100 characters of valid UTF-8, on one line. */
static char *
clean_name (const char  *name,
            const char  *what,
            GError     **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name ? name : ""));

  if (!g_utf8_validate (clean, -1, NULL) || clean[0] == '\0' ||
      g_utf8_strlen (clean, -1) > MAX_NAME_CHARS || strchr (clean, '\n') != NULL)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   /* Translators: %s is what is named: “A class name” or “A pupil's name” */
                   _("%s is 1 to 100 characters long, on one line."), what);
      return NULL;
    }
  return g_steal_pointer (&clean);
}

/* Names compared as a teacher reads them: case and Unicode normal form do not matter. */
static char *
name_key (const char *name)
{
  g_autofree char *normal = g_utf8_normalize (name, -1, G_NORMALIZE_ALL_COMPOSE);

  return g_utf8_casefold (normal ? normal : name, -1);
}

static SyClass *
load_class (sqlite3     *db,
            const char  *class_uuid,
            GError     **error)
{
  sqlite3_stmt *stmt;
  SyClass *klass = NULL;
  int rc;

  if (!prepare (db, "SELECT c.uuid, c.name, c.teacher_uuid, l.name, c.created, c.archived, "
                    "  (SELECT count (*) FROM class_members m WHERE m.class_uuid = c.uuid) "
                    "FROM classes c JOIN learners l ON l.uuid = c.teacher_uuid "
                    "WHERE c.uuid = ?", &stmt, error))
    return NULL;
  bind_text (stmt, 1, class_uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      klass = g_new0 (SyClass, 1);
      klass->uuid = g_strdup (column_text (stmt, 0));
      klass->name = g_strdup (column_text (stmt, 1));
      klass->teacher_uuid = g_strdup (column_text (stmt, 2));
      klass->teacher_name = g_strdup (column_text (stmt, 3));
      klass->created = g_strdup (column_text (stmt, 4));
      klass->archived = sqlite3_column_int (stmt, 5);
      klass->n_pupils = sqlite3_column_int (stmt, 6);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_fail (db, error);
  if (klass == NULL)
    g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                 _("There is no class “%s” on this PC."), class_uuid);
  return klass;
}

static SyClassSession *
load_session (sqlite3     *db,
              const char  *session_uuid,
              GError     **error)
{
  sqlite3_stmt *stmt;
  SyClassSession *session = NULL;
  int rc;

  if (!prepare (db, "SELECT uuid, class_uuid, started, title FROM class_sessions "
                    "WHERE uuid = ?", &stmt, error))
    return NULL;
  bind_text (stmt, 1, session_uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      session = g_new0 (SyClassSession, 1);
      session->uuid = g_strdup (column_text (stmt, 0));
      session->class_uuid = g_strdup (column_text (stmt, 1));
      session->started = g_strdup (column_text (stmt, 2));
      session->title = g_strdup (column_text (stmt, 3));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_fail (db, error);
  if (session == NULL)
    g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                 _("There is no class session “%s” on this PC."), session_uuid);
  return session;
}

/* The learner's name if they are a pupil of the class, else NULL with an error. */
static char *
member_name (sqlite3     *db,
             const char  *class_uuid,
             const char  *class_name,
             const char  *learner_uuid,
             GError     **error)
{
  sqlite3_stmt *stmt;
  char *name = NULL;
  int rc;

  if (!prepare (db, "SELECT l.name FROM class_members m JOIN learners l "
                    "  ON l.uuid = m.learner_uuid WHERE m.class_uuid = ? AND m.learner_uuid = ?",
                &stmt, error))
    return NULL;
  bind_text (stmt, 1, class_uuid);
  bind_text (stmt, 2, learner_uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    name = g_strdup (column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_fail (db, error);
  if (name == NULL)
    g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                 _("The learner “%s” is not a pupil of the class “%s”."), learner_uuid,
                 class_name);
  return name;
}

static gboolean
check_teacher (sqlite3     *db,
               const char  *teacher_uuid,
               GError     **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  int rc;

  if (!prepare (db, "SELECT role, name FROM learners WHERE uuid = ?", &stmt, error))
    return FALSE;
  bind_text (stmt, 1, teacher_uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      role = g_strdup (column_text (stmt, 0));
      name = g_strdup (column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  if (role == NULL)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no learner “%s” on this PC."), teacher_uuid);
      return FALSE;
    }
  if (!g_str_equal (role, "teacher"))
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("%s is not a teacher: only teachers have classes."), name);
      return FALSE;
    }
  return TRUE;
}

/* ---- classes ---- */

static gpointer
do_create_class (SyStore       *self,
                 sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Args *a = data;
  g_autofree char *name = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *now = _sy_store_now ();
  gint64 same;

  REQUIRE_OPEN (db, error);

  if (!(name = clean_name (a->name, _("A class name"), error)) ||
      !check_teacher (db, a->teacher_uuid, error))
    return NULL;
  same = query_int (db, "SELECT count (*) FROM classes WHERE teacher_uuid = ? AND name = ? "
                        "AND archived = 0", a->teacher_uuid, name, NULL, error);
  if (same < 0)
    return NULL;
  if (same > 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("You already have a class called “%s”. Give the new one another name."),
                   name);
      return NULL;
    }
  {
    sqlite3_stmt *stmt;
    int rc;

    if (!prepare (db, "INSERT INTO classes (uuid, name, teacher_uuid, created) "
                      "VALUES (?, ?, ?, ?)", &stmt, error))
      return NULL;
    bind_text (stmt, 1, uuid);
    bind_text (stmt, 2, name);
    bind_text (stmt, 3, a->teacher_uuid);
    bind_text (stmt, 4, now);
    rc = sqlite3_step (stmt);
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      return db_fail (db, error);
  }
  return load_class (db, uuid, error);
}

static gpointer
do_get_class (SyStore       *self,
              sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Args *a = data;

  REQUIRE_OPEN (db, error);
  return load_class (db, a->class_uuid, error);
}

static gpointer
do_rename_class (SyStore       *self,
                 sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autofree char *name = NULL;
  gint64 same;

  REQUIRE_OPEN (db, error);

  if (!(name = clean_name (a->name, _("A class name"), error)) ||
      !(klass = load_class (db, a->class_uuid, error)))
    return NULL;
  same = query_int (db, "SELECT count (*) FROM classes WHERE teacher_uuid = ? AND name = ? "
                        "AND archived = 0 AND uuid != ?", klass->teacher_uuid, name,
                    klass->uuid, error);
  if (same < 0)
    return NULL;
  if (same > 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("You already have a class called “%s”. Give the new one another name."),
                   name);
      return NULL;
    }
  if (!exec_bound (db, "UPDATE classes SET name = ?2 WHERE uuid = ?1", klass->uuid, name, NULL,
                   error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
do_archive_class (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)) ||
      !exec_bound (db, "UPDATE classes SET archived = ?2 WHERE uuid = ?1", klass->uuid,
                   a->flag ? "1" : "0", NULL, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
do_list_classes (SyStore       *self,
                 sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Args *a = data;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_class_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (a->teacher_uuid != NULL &&
      query_int (db, "SELECT count (*) FROM learners WHERE uuid = ?", a->teacher_uuid, NULL,
                 NULL, error) <= 0)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                     _("There is no learner “%s” on this PC."), a->teacher_uuid);
      return NULL;
    }

  if (!prepare (db, "SELECT c.uuid, c.name, c.teacher_uuid, l.name, c.created, c.archived, "
                    "  (SELECT count (*) FROM class_members m WHERE m.class_uuid = c.uuid) "
                    "FROM classes c JOIN learners l ON l.uuid = c.teacher_uuid "
                    "WHERE (?1 IS NULL OR c.teacher_uuid = ?1) AND (?2 OR c.archived = 0) "
                    "ORDER BY c.archived, c.name COLLATE NOCASE, c.created", &stmt, error))
    return NULL;
  bind_text (stmt, 1, a->teacher_uuid);
  sqlite3_bind_int (stmt, 2, a->flag);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyClass *klass = g_new0 (SyClass, 1);

      klass->uuid = g_strdup (column_text (stmt, 0));
      klass->name = g_strdup (column_text (stmt, 1));
      klass->teacher_uuid = g_strdup (column_text (stmt, 2));
      klass->teacher_name = g_strdup (column_text (stmt, 3));
      klass->created = g_strdup (column_text (stmt, 4));
      klass->archived = sqlite3_column_int (stmt, 5);
      klass->n_pupils = sqlite3_column_int (stmt, 6);
      g_ptr_array_add (list, klass);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&list);
}

/* ---- pupils ---- */

static SyLearner *
learner_from_row (sqlite3_stmt *stmt)
{
  SyLearner *learner;
  SyRole role = SY_ROLE_LEARNER;

  sy_role_from_string (column_text (stmt, 2), &role);
  learner = sy_learner_new (column_text (stmt, 0), column_text (stmt, 1), role,
                            column_text (stmt, 3), column_text (stmt, 4));
  _sy_learner_set_has_pin (learner, sqlite3_column_int (stmt, 5));
  _sy_learner_set_avatar (learner, column_text (stmt, 6));
  return learner;
}

#define PUPIL_COLUMNS "l.uuid, l.name, l.role, l.external_id, l.created, " \
                      "l.pin_hash IS NOT NULL, l.avatar"

static GPtrArray *
list_pupils (sqlite3     *db,
             const char  *class_uuid,
             GError     **error)
{
  g_autoptr(GPtrArray) pupils = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  if (!prepare (db, "SELECT " PUPIL_COLUMNS " FROM class_members m "
                    "JOIN learners l ON l.uuid = m.learner_uuid WHERE m.class_uuid = ? "
                    "ORDER BY m.position, l.name", &stmt, error))
    return NULL;
  bind_text (stmt, 1, class_uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (pupils, learner_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&pupils);
}

static gpointer
do_add_pupils (SyStore       *self,
               sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *now = _sy_store_now ();
  sqlite3_stmt *learner_stmt = NULL, *member_stmt = NULL;
  gint64 position;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)) ||
      !(existing = list_pupils (db, klass->uuid, error)))
    return NULL;
  for (guint i = 0; i < existing->len; i++)
    g_hash_table_add (seen, name_key (sy_learner_get_name (g_ptr_array_index (existing, i))));

  /* every name checked before anything is written: all are added, or none */
  for (guint i = 0; a->names != NULL && a->names[i] != NULL; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (a->names[i]));
      g_autofree char *name = NULL;
      g_autofree char *key = NULL;

      if (trimmed[0] == '\0')
        continue;
      if (!(name = clean_name (trimmed, _("A pupil's name"), error)))
        {
          g_prefix_error (error, "“%s”: ", trimmed);
          return NULL;
        }
      key = name_key (name);
      if (g_hash_table_contains (seen, key))
        {
          g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                       _("“%s” is already in the class “%s”, or twice in the list. Add "
                         "something to tell them apart, such as “%s 2”. No pupil was "
                         "added."), name, klass->name, name);
          return NULL;
        }
      g_hash_table_add (seen, g_steal_pointer (&key));
      g_ptr_array_add (names, g_steal_pointer (&name));
    }
  if (names->len == 0)
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("Type at least one pupil's name, one a line."));
      return NULL;
    }
  if (names->len + existing->len > MAX_PUPILS)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("A class has at most %d pupils."), MAX_PUPILS);
      return NULL;
    }

  position = query_int (db, "SELECT coalesce (max (position), 0) FROM class_members "
                            "WHERE class_uuid = ?", klass->uuid, NULL, NULL, error);
  if (position < 0 || !begin (db, error))
    return NULL;
  if (!prepare (db, "INSERT INTO learners (uuid, name, role, created) VALUES (?, ?, 'learner', ?)",
                &learner_stmt, error) ||
      !prepare (db, "INSERT INTO class_members (class_uuid, learner_uuid, position) "
                    "VALUES (?, ?, ?)", &member_stmt, error))
    goto fail;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      const char *name = g_ptr_array_index (names, i);

      sqlite3_reset (learner_stmt);
      bind_text (learner_stmt, 1, uuid);
      bind_text (learner_stmt, 2, name);
      bind_text (learner_stmt, 3, now);
      if (sqlite3_step (learner_stmt) != SQLITE_DONE)
        {
          _sy_store_db_error (db, error);
          goto fail;
        }
      sqlite3_reset (member_stmt);
      bind_text (member_stmt, 1, klass->uuid);
      bind_text (member_stmt, 2, uuid);
      sqlite3_bind_int64 (member_stmt, 3, ++position);
      if (sqlite3_step (member_stmt) != SQLITE_DONE)
        {
          _sy_store_db_error (db, error);
          goto fail;
        }
      g_ptr_array_add (added, sy_learner_new (uuid, name, SY_ROLE_LEARNER, NULL, now));
    }
  sqlite3_finalize (learner_stmt);
  sqlite3_finalize (member_stmt);
  if (!commit (db, error))
    return NULL;
  return g_steal_pointer (&added);

fail:
  sqlite3_finalize (learner_stmt);
  sqlite3_finalize (member_stmt);
  return rollback (db);
}

static gpointer
do_list_pupils (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;

  REQUIRE_OPEN (db, error);
  if (!(klass = load_class (db, a->class_uuid, error)))
    return NULL;
  return list_pupils (db, klass->uuid, error);
}

static gpointer
do_set_avatar (SyStore       *self,
               sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Args *a = data;
  gint64 found;

  REQUIRE_OPEN (db, error);

  if (a->name != NULL && !sy_avatar_is_valid (a->name))
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("“%s” is not an avatar: use 1 to 32 lowercase letters, digits and "
                     "hyphens, starting with a letter."), a->name);
      return NULL;
    }
  found = query_int (db, "SELECT count (*) FROM learners WHERE uuid = ?", a->learner_uuid,
                     NULL, NULL, error);
  if (found < 0)
    return NULL;
  if (found == 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no learner “%s” on this PC."), a->learner_uuid);
      return NULL;
    }
  if (!exec_bound (db, "UPDATE learners SET avatar = ?2 WHERE uuid = ?1", a->learner_uuid,
                   a->name, NULL, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* ---- assignments ---- */

static gpointer
do_assign (SyStore       *self,
           sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autofree char *now = _sy_store_now ();
  gint64 n;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)))
    return NULL;
  if (a->item_id != NULL)
    n = query_int (db, "SELECT count (*) FROM items WHERE course_id = ? AND id = ?",
                   a->course_id, a->item_id, NULL, error);
  else
    n = query_int (db, "SELECT count (*) FROM courses WHERE id = ?", a->course_id, NULL, NULL,
                   error);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      if (a->item_id != NULL)
        g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                     _("There is no item “%s” in the course “%s”."), a->item_id, a->course_id);
      else
        g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                     _("There is no course “%s” on this PC."), a->course_id);
      return NULL;
    }
  n = query_int (db, "SELECT count (*) FROM class_assignments WHERE class_uuid = ? "
                     "AND course_id = ? AND coalesce (item_id, '') = coalesce (?, '')",
                 klass->uuid, a->course_id, a->item_id, error);
  if (n < 0)
    return NULL;
  if (n > 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("This is already assigned to the class “%s”."), klass->name);
      return NULL;
    }
  {
    sqlite3_stmt *stmt;
    int rc;

    if (!prepare (db, "INSERT INTO class_assignments (class_uuid, course_id, item_id, "
                      "  position, assigned) VALUES (?1, ?2, ?3, (SELECT coalesce (max "
                      "  (position), 0) + 1 FROM class_assignments WHERE class_uuid = ?1), ?4)",
                  &stmt, error))
      return NULL;
    bind_text (stmt, 1, klass->uuid);
    bind_text (stmt, 2, a->course_id);
    bind_text (stmt, 3, a->item_id);
    bind_text (stmt, 4, now);
    rc = sqlite3_step (stmt);
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      return db_fail (db, error);
  }
  return GINT_TO_POINTER (TRUE);
}

static gpointer
do_unassign (SyStore       *self,
             sqlite3       *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)) ||
      !exec_bound (db, "DELETE FROM class_assignments WHERE class_uuid = ? AND course_id = ? "
                       "AND coalesce (item_id, '') = coalesce (?, '')", klass->uuid,
                   a->course_id, a->item_id, error))
    return NULL;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("This is not assigned to the class “%s”."), klass->name);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

static gpointer
do_list_assignments (SyStore       *self,
                     sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_class_assignment_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)))
    return NULL;
  if (!prepare (db, "SELECT a.course_id, a.item_id, c.title, i.title, i.type, a.assigned "
                    "FROM class_assignments a LEFT JOIN courses c ON c.id = a.course_id "
                    "LEFT JOIN items i ON i.course_id = a.course_id AND i.id = a.item_id "
                    "WHERE a.class_uuid = ? ORDER BY a.position", &stmt, error))
    return NULL;
  bind_text (stmt, 1, klass->uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyClassAssignment *as = g_new0 (SyClassAssignment, 1);

      as->course_id = g_strdup (column_text (stmt, 0));
      as->item_id = g_strdup (column_text (stmt, 1));
      if (column_text (stmt, 2))
        as->course_title = sy_text_new_from_string (column_text (stmt, 2));
      if (as->item_id == NULL && as->course_title)
        as->title = sy_text_ref (as->course_title);
      else if (column_text (stmt, 3))
        as->title = sy_text_new_from_string (column_text (stmt, 3));
      if (column_text (stmt, 4))
        sy_item_type_from_string (column_text (stmt, 4), &as->item_type);
      as->assigned = g_strdup (column_text (stmt, 5));
      g_ptr_array_add (list, as);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&list);
}

/* ---- sessions and attendance ---- */

static gpointer
do_start_session (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *now = _sy_store_now ();
  g_autofree char *title = NULL;
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)))
    return NULL;
  if (klass->archived)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("The class “%s” is archived. Restore it to hold a session."), klass->name);
      return NULL;
    }
  if (a->name != NULL && *a->name != '\0' &&
      !(title = clean_name (a->name, _("A session title"), error)))
    return NULL;

  if (!prepare (db, "INSERT INTO class_sessions (uuid, class_uuid, started, title) "
                    "VALUES (?, ?, ?, ?)", &stmt, error))
    return NULL;
  bind_text (stmt, 1, uuid);
  bind_text (stmt, 2, klass->uuid);
  bind_text (stmt, 3, now);
  bind_text (stmt, 4, title);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return load_session (db, uuid, error);
}

static gpointer
do_list_sessions (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Args *a = data;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_class_session_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!(klass = load_class (db, a->class_uuid, error)) ||
      !prepare (db, "SELECT uuid, class_uuid, started, title FROM class_sessions "
                    "WHERE class_uuid = ? ORDER BY started DESC, uuid", &stmt, error))
    return NULL;
  bind_text (stmt, 1, klass->uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyClassSession *session = g_new0 (SyClassSession, 1);

      session->uuid = g_strdup (column_text (stmt, 0));
      session->class_uuid = g_strdup (column_text (stmt, 1));
      session->started = g_strdup (column_text (stmt, 2));
      session->title = g_strdup (column_text (stmt, 3));
      g_ptr_array_add (list, session);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&list);
}

/* "三年级一班 · 2026-11-23": what readers of the record see as the session's name. The
 * class name is in the teacher's language, so the map says nothing about the language. */
static SyText *
session_name (SyClass        *klass,
              SyClassSession *session)
{
  g_autoptr(GDateTime) started = g_date_time_new_from_iso8601 (session->started, NULL);
  g_autoptr(GDateTime) local = started ? g_date_time_to_local (started) : NULL;
  g_autofree char *date = local ? g_date_time_format (local, "%Y-%m-%d") : g_strdup ("");
  g_autofree char *text = g_strdup_printf ("%s · %s%s%s", klass->name, date,
                                           session->title ? " · " : "",
                                           session->title ? session->title : "");
  json_object *map = json_object_new_object ();
  SyText *name;

  json_object_object_add (map, "und", json_object_new_string (text));
  name = sy_text_new_from_json (map);
  json_object_put (map);
  return name;
}

/* The ids of the pupil's attendance statements in the session that still count. */
static GPtrArray *
present_statements (sqlite3     *db,
                    const char  *session_uuid,
                    const char  *learner_uuid,
                    const char  *activity,
                    GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  if (!prepare (db, "SELECT id FROM statements WHERE registration = ? AND learner_uuid = ? "
                    "AND activity = ? AND verb = '" VERB_ATTENDED "' AND voided = 0 "
                    "ORDER BY timestamp, id", &stmt, error))
    return NULL;
  bind_text (stmt, 1, session_uuid);
  bind_text (stmt, 2, learner_uuid);
  bind_text (stmt, 3, activity);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup (column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&ids);
}

static gpointer
do_set_attendance (SyStore       *self,
                   sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  Args *a = data;
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) present = NULL;
  g_autoptr(SyText) name = NULL;
  g_autofree char *activity = NULL;
  g_autofree char *pupil = NULL;
  SyEvent event;

  REQUIRE_OPEN (db, error);

  if (!(session = load_session (db, a->session_uuid, error)) ||
      !(klass = load_class (db, session->class_uuid, error)) ||
      !(pupil = member_name (db, klass->uuid, klass->name, a->learner_uuid, error)))
    return NULL;

  activity = sy_class_session_iri (klass->uuid, session->uuid);
  name = session_name (klass, session);

  if (!begin (db, error))
    return NULL;
  if (!(present = present_statements (db, session->uuid, a->learner_uuid, activity, error)))
    return rollback (db);

  sy_event_init (&event);
  event.learner_uuid = a->learner_uuid;
  event.registration = session->uuid;
  event.instructor_uuid = klass->teacher_uuid;
  event.team_uuid = klass->uuid;
  event.team_name = klass->name;

  if (a->flag && present->len == 0)
    {
      g_autofree char *id = NULL;

      event.verb = SY_VERB_ATTENDED;
      event.object_iri = activity;
      event.object_type = SY_MEETING_ACTIVITY_TYPE;
      event.object_name = name;
      if (!(id = _sy_store_insert_event (self, db, &event, error)))
        return rollback (db);
    }
  else if (!a->flag)
    {
      /* absent: void whatever says present; never an edit */
      for (guint i = 0; i < present->len; i++)
        {
          g_autofree char *id = NULL;

          event.verb = SY_VERB_VOIDED;
          event.voids = g_ptr_array_index (present, i);
          if (!(id = _sy_store_insert_event (self, db, &event, error)))
            return rollback (db);
        }
    }
  if (!commit (db, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
do_list_attendance (SyStore       *self,
                    sqlite3       *db,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Args *a = data;
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_attendance_free);
  g_autofree char *activity = NULL;
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!(session = load_session (db, a->session_uuid, error)) ||
      !(klass = load_class (db, session->class_uuid, error)))
    return NULL;
  activity = sy_class_session_iri (klass->uuid, session->uuid);

  /* A projection of the set of statements: present when some attended statement about the
   * session is not voided, whatever order they came in and however often */
  if (!prepare (db, "SELECT l.uuid, l.name, l.avatar, "
                    "  (SELECT s.id FROM statements s WHERE s.registration = ?2 "
                    "     AND s.learner_uuid = l.uuid AND s.activity = ?3 "
                    "     AND s.verb = '" VERB_ATTENDED "' AND s.voided = 0 "
                    "   ORDER BY s.timestamp, s.id LIMIT 1) "
                    "FROM class_members m JOIN learners l ON l.uuid = m.learner_uuid "
                    "WHERE m.class_uuid = ?1 ORDER BY m.position, l.name", &stmt, error))
    return NULL;
  bind_text (stmt, 1, klass->uuid);
  bind_text (stmt, 2, session->uuid);
  bind_text (stmt, 3, activity);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyAttendance *at = g_new0 (SyAttendance, 1);

      at->learner_uuid = g_strdup (column_text (stmt, 0));
      at->name = g_strdup (column_text (stmt, 1));
      at->avatar = g_strdup (column_text (stmt, 2));
      at->statement_id = g_strdup (column_text (stmt, 3));
      at->present = at->statement_id != NULL;
      g_ptr_array_add (list, at);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);
  return g_steal_pointer (&list);
}

/* ---- class quizzes ---- */

typedef struct
{
  SyItemType  type;
  SyText     *title;
  double      pass_score;
  int         max_attempts;
  SyQuiz     *quiz;
} QuizItem;

static void
quiz_item_clear (QuizItem *q)
{
  g_clear_pointer (&q->title, sy_text_unref);
  g_clear_pointer (&q->quiz, sy_quiz_unref);
}

/* Reads an installed quiz or survey, as the quiz view does. */
static gboolean
load_quiz_item (SyStore     *self,
                sqlite3     *db,
                const char  *course_id,
                const char  *item_id,
                QuizItem    *out,
                GError     **error)
{
  g_auto(SyItemRow) row = { 0 };
  g_autofree char *dir = NULL;
  g_autoptr(SyText) file = NULL;

  if (!_sy_store_load_item (db, course_id, item_id, &row, error))
    return FALSE;
  out->type = row.type;
  out->title = sy_text_new_from_string (row.title);
  out->pass_score = row.pass_score;
  out->max_attempts = row.max_attempts;
  file = sy_text_new_from_string (row.file);
  dir = _sy_store_content_path (self, row.content_dir);
  if (out->type != SY_ITEM_QUIZ && out->type != SY_ITEM_SURVEY)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("“%s” is not a quiz or a survey."), sy_text_get (out->title, NULL));
      return FALSE;
    }
  {
    g_autofree char *path = g_build_filename (dir, sy_text_get (file, NULL), NULL);
    g_autoptr(GError) local = NULL;

    if (!(out->quiz = sy_quiz_load (path, out->type == SY_ITEM_SURVEY, &local)))
      {
        g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                     _("The questions could not be read: %s"), local->message);
        return FALSE;
      }
  }
  return TRUE;
}

/* One attempt per pupil, quiz and session, with an id made from them: recording the
 * pupil's next answer finds the attempt without any table of this PC's, and two answers
 * to the same question in the same session belong to the same attempt (the last counts). */
static char *
class_registration (const char *session_uuid,
                    const char *learner_uuid,
                    const char *course_id,
                    const char *item_id)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) "shuyuan-class-quiz", -1);
  for (const char * const *p = (const char * const []) { session_uuid, learner_uuid, course_id,
                                                           item_id, NULL }; *p; p++)
    {
      g_checksum_update (checksum, (const guchar *) "\n", 1);
      g_checksum_update (checksum, (const guchar *) *p, -1);
    }
  g_checksum_get_digest (checksum, digest, &len);
  /* shaped as a name-based (version 5) UUID */
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
                          digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
}

/* The attempt's state: whether it was begun (and when) and whether it has a result. */
static gboolean
attempt_state (sqlite3     *db,
               const char  *registration,
               char       **started,
               char       **result_id,
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *started = NULL;
  *result_id = NULL;
  if (!prepare (db, "SELECT (SELECT min (timestamp) FROM statements WHERE registration = ?1 "
                    "          AND attempt = 1 AND voided = 0), "
                    "  (SELECT id FROM statements WHERE registration = ?1 "
                    "     AND question_id IS NULL AND voided = 0 AND verb IN " SY_STORE_RESULT_VERBS
                    "   ORDER BY timestamp, id LIMIT 1)", &stmt, error))
    return FALSE;
  bind_text (stmt, 1, registration);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *started = g_strdup (column_text (stmt, 0));
      *result_id = g_strdup (column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static gpointer
do_record_class_answer (SyStore       *self,
                        sqlite3       *db,
                        gpointer       data,
                        GCancellable  *cancellable,
                        GError       **error)
{
  Args *a = data;
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autofree char *pupil = NULL;
  g_autofree char *registration = NULL;
  g_autofree char *started = NULL;
  g_autofree char *result_id = NULL;
  g_autofree char *id = NULL;
  QuizItem item = { 0 };
  SyQuestion *q;
  gboolean correct = FALSE, survey;
  SyClassAnswer answer;
  SyEvent event;

  REQUIRE_OPEN (db, error);

  if (!(session = load_session (db, a->session_uuid, error)) ||
      !(klass = load_class (db, session->class_uuid, error)) ||
      !(pupil = member_name (db, klass->uuid, klass->name, a->learner_uuid, error)))
    return NULL;
  if (a->response == NULL)
    return GINT_TO_POINTER (SY_CLASS_ANSWER_ABSENT);   /* nothing to record */

  if (!load_quiz_item (self, db, a->course_id, a->item_id, &item, error))
    goto out;
  survey = item.type == SY_ITEM_SURVEY;
  if (!(q = sy_quiz_find_question (item.quiz, a->question_id)))
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no question “%s” in “%s”."), a->question_id,
                   sy_text_get (item.title, NULL));
      goto out;
    }
  {
    g_autoptr(GError) local = NULL;

    if (!sy_question_grade (q, a->response, &correct, &local))
      {
        g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                     _("This answer cannot be saved for %s: %s"), pupil, local->message);
        goto out;
      }
  }

  registration = class_registration (session->uuid, a->learner_uuid, a->course_id, a->item_id);
  if (!begin (db, error))
    goto out;
  if (!attempt_state (db, registration, &started, &result_id, error))
    goto fail;
  if (result_id != NULL)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("“%s” is already finished for %s in this session. Start a new session "
                     "to take it again."), sy_text_get (item.title, NULL), pupil);
      goto fail;
    }

  sy_event_init (&event);
  event.learner_uuid = a->learner_uuid;
  event.course_id = a->course_id;
  event.item_id = a->item_id;
  event.item_type = item.type;
  event.registration = registration;
  event.instructor_uuid = klass->teacher_uuid;
  event.team_uuid = klass->uuid;
  event.team_name = klass->name;

  if (started == NULL)
    {
      int attempts = _sy_store_count_attempts (db, a->learner_uuid, a->course_id, a->item_id,
                                               error);
      if (attempts < 0)
        goto fail;
      if (item.max_attempts > 0 && attempts >= item.max_attempts)
        {
          g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NO_ATTEMPTS_LEFT,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "%s has used the %d attempt this quiz allows.",
                                    "%s has used the %d attempts this quiz allows.",
                                    item.max_attempts), pupil, item.max_attempts);
          goto fail;
        }
      /* the attempt begins with its first answer, as a pupil's own begins on opening */
      event.verb = SY_VERB_ATTEMPTED;
      event.object_name = item.title;
      if (!(id = _sy_store_insert_event (self, db, &event, error)))
        goto fail;
      g_clear_pointer (&id, g_free);
      event.object_name = NULL;
    }

  event.verb = SY_VERB_ANSWERED;
  event.question_id = q->id;
  event.response = a->response;
  event.success = survey ? -1 : correct;
  if (!(id = _sy_store_insert_event (self, db, &event, error)) || !commit (db, error))
    goto fail;

  answer = survey ? SY_CLASS_ANSWER_RECORDED : correct ? SY_CLASS_ANSWER_RIGHT
                                                       : SY_CLASS_ANSWER_WRONG;
  quiz_item_clear (&item);
  return GINT_TO_POINTER (answer);

fail:
  if (sqlite3_get_autocommit (db) == 0)
    rollback (db);
out:
  quiz_item_clear (&item);
  return NULL;
}

static gpointer
do_finish_class_quiz (SyStore       *self,
                      sqlite3       *db,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Args *a = data;
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GPtrArray) pupils = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_class_quiz_result_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  QuizItem item = { 0 };
  guint n_questions;

  REQUIRE_OPEN (db, error);

  if (!(session = load_session (db, a->session_uuid, error)) ||
      !(klass = load_class (db, session->class_uuid, error)) ||
      !(pupils = list_pupils (db, klass->uuid, error)))
    return NULL;
  if (!load_quiz_item (self, db, a->course_id, a->item_id, &item, error))
    goto out;
  n_questions = sy_quiz_get_n_questions (item.quiz);

  if (!begin (db, error))
    goto out;
  for (guint i = 0; i < pupils->len; i++)
    {
      SyLearner *pupil = g_ptr_array_index (pupils, i);
      const char *uuid = sy_learner_get_uuid (pupil);
      g_autofree char *registration = class_registration (session->uuid, uuid, a->course_id,
                                                          a->item_id);
      g_autofree char *started = NULL;
      g_autofree char *result_id = NULL;
      g_autoptr(GHashTable) answers = NULL;
      g_autoptr(SyClassQuizResult) result = NULL;
      g_autoptr(GDateTime) start_time = NULL;
      double seconds = 0;
      SyEvent event;

      if (!attempt_state (db, registration, &started, &result_id, error))
        goto fail;
      if (started == NULL)
        continue;   /* absent for the whole quiz: no attempt, no result */
      answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (!_sy_store_last_answers (db, registration, NULL, answers, error))
        goto fail;

      result = g_new0 (SyClassQuizResult, 1);
      result->learner_uuid = g_strdup (uuid);
      result->name = g_strdup (sy_learner_get_name (pupil));
      result->registration = g_strdup (registration);
      result->n_questions = n_questions;
      for (guint j = 0; j < n_questions; j++)
        {
          SyQuestion *q = sy_quiz_get_question (item.quiz, j);
          gpointer right;

          if (g_hash_table_lookup_extended (answers, q->id, NULL, &right))
            {
              result->n_answered++;
              if (GPOINTER_TO_INT (right))
                result->n_right++;
            }
        }
      if (item.type == SY_ITEM_SURVEY)
        {
          result->score = -1;
          result->passed = TRUE;
        }
      else
        {
          result->score = n_questions > 0 ? result->n_right / (double) n_questions : 0;
          result->passed = result->score + SCORE_EPSILON >= item.pass_score;
        }

      if (result_id != NULL)
        {
          /* finished before: report it, record nothing more */
          result->statement_id = g_steal_pointer (&result_id);
          g_ptr_array_add (results, g_steal_pointer (&result));
          continue;
        }

      start_time = g_date_time_new_from_iso8601 (started, NULL);
      if (start_time != NULL)
        seconds = CLAMP (g_date_time_difference (now, start_time) / (double) G_USEC_PER_SEC,
                         0, CLASS_QUIZ_MAX_SECONDS);

      sy_event_init (&event);
      event.learner_uuid = uuid;
      event.course_id = a->course_id;
      event.item_id = a->item_id;
      event.item_type = item.type;
      event.object_name = item.title;
      event.registration = registration;
      event.seconds = seconds;
      event.instructor_uuid = klass->teacher_uuid;
      event.team_uuid = klass->uuid;
      event.team_name = klass->name;
      if (item.type == SY_ITEM_SURVEY)
        {
          event.verb = SY_VERB_COMPLETED;
          event.completion = TRUE;
        }
      else
        {
          event.verb = result->passed ? SY_VERB_PASSED : SY_VERB_FAILED;
          event.score = result->score;
          event.raw = result->n_right;
          event.max = n_questions;
          event.success = result->passed;
          event.completion = TRUE;
        }
      if (!(result->statement_id = _sy_store_insert_event (self, db, &event, error)) ||
          !_sy_store_check_course_completion (self, db, uuid, a->course_id, error))
        goto fail;
      g_ptr_array_add (results, g_steal_pointer (&result));
    }
  if (!commit (db, error))
    goto out;
  quiz_item_clear (&item);
  return g_steal_pointer (&results);

fail:
  rollback (db);
out:
  quiz_item_clear (&item);
  return NULL;
}

/* ---- the coach report ---- */

static void
add_coach_item (GPtrArray    *items,
                GHashTable   *seen,
                sqlite3_stmt *stmt)
{
  SyCoachItem *item;
  char *key = g_strconcat (column_text (stmt, 0), "\n", column_text (stmt, 1), NULL);

  if (!g_hash_table_add (seen, key))
    return;
  item = g_new0 (SyCoachItem, 1);
  item->course_id = g_strdup (column_text (stmt, 0));
  item->item_id = g_strdup (column_text (stmt, 1));
  sy_item_type_from_string (column_text (stmt, 2), &item->item_type);
  item->title = sy_text_new_from_string (column_text (stmt, 3));
  item->course_title = sy_text_new_from_string (column_text (stmt, 4));
  g_ptr_array_add (items, item);
}

static int
compare_missed (gconstpointer pa,
                gconstpointer pb)
{
  const SyMissedQuestion *a = *(SyMissedQuestion * const *) pa;
  const SyMissedQuestion *b = *(SyMissedQuestion * const *) pb;
  double ra = a->n_answered ? a->n_wrong / (double) a->n_answered : 0;
  double rb = b->n_answered ? b->n_wrong / (double) b->n_answered : 0;

  if (a->n_wrong != b->n_wrong)
    return a->n_wrong > b->n_wrong ? -1 : 1;
  if (ra != rb)
    return ra > rb ? -1 : 1;
  return 0;   /* g_ptr_array_sort is stable: course order otherwise */
}

/* Questions of the assigned quizzes that the class's pupils got wrong: the last answer of
 * each attempt to each question counts once. */
static gboolean
collect_missed (SyStore        *self,
                sqlite3        *db,
                SyCoachReport  *report,
                GError        **error)
{
  sqlite3_stmt *stmt;

  if (!prepare (db, "SELECT s.question_id, coalesce (s.registration, s.id), "
                    "  json_extract (s.json, '$.result.success') "
                    "FROM statements s JOIN class_members m ON m.learner_uuid = s.learner_uuid "
                    "WHERE m.class_uuid = ?1 AND s.course_id = ?2 AND s.item_id = ?3 "
                    "  AND s.question_id IS NOT NULL AND s.voided = 0 "
                    "  AND s.verb = '" VERB_ANSWERED "' "
                    "ORDER BY s.timestamp, s.id", &stmt, error))
    return FALSE;

  for (guint i = 0; i < report->items->len; i++)
    {
      SyCoachItem *item = g_ptr_array_index (report->items, i);
      g_autoptr(GHashTable) finals = NULL;
      g_autoptr(GHashTable) by_question = NULL;
      QuizItem quiz = { 0 };
      GHashTableIter iter;
      gpointer key, value;
      int rc;

      if (item->item_type != SY_ITEM_QUIZ)
        continue;

      /* (attempt, question) → right; later answers replace earlier ones */
      finals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      sqlite3_reset (stmt);
      bind_text (stmt, 1, report->class_info->uuid);
      bind_text (stmt, 2, item->course_id);
      bind_text (stmt, 3, item->item_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_hash_table_insert (finals, g_strconcat (column_text (stmt, 0), "\n",
                                                  column_text (stmt, 1), NULL),
                             GINT_TO_POINTER (sqlite3_column_int (stmt, 2) == 1));
      if (rc != SQLITE_DONE)
        {
          sqlite3_finalize (stmt);
          return _sy_store_db_error (db, error);
        }
      if (g_hash_table_size (finals) == 0)
        continue;

      /* the prompts, if the quiz can be read; the report does not fail without them */
      if (!load_quiz_item (self, db, item->course_id, item->item_id, &quiz, NULL))
        g_clear_pointer (&quiz.quiz, sy_quiz_unref);

      by_question = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_iter_init (&iter, finals);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autofree char *question_id = g_strndup (key, strchr (key, '\n') - (char *) key);
          SyMissedQuestion *mq = g_hash_table_lookup (by_question, question_id);

          if (mq == NULL)
            {
              SyQuestion *q = quiz.quiz ? sy_quiz_find_question (quiz.quiz, question_id) : NULL;

              mq = g_new0 (SyMissedQuestion, 1);
              mq->course_id = g_strdup (item->course_id);
              mq->item_id = g_strdup (item->item_id);
              mq->question_id = g_strdup (question_id);
              mq->quiz_title = sy_text_ref (item->title);
              mq->prompt = q && q->prompt ? sy_text_ref (q->prompt) : NULL;
              g_hash_table_insert (by_question, mq->question_id, mq);
            }
          mq->n_answered++;
          if (!GPOINTER_TO_INT (value))
            mq->n_wrong++;
        }

      /* in the quiz's order, so ties keep it */
      if (quiz.quiz != NULL)
        for (guint j = 0; j < sy_quiz_get_n_questions (quiz.quiz); j++)
          {
            SyQuestion *q = sy_quiz_get_question (quiz.quiz, j);
            SyMissedQuestion *mq = g_hash_table_lookup (by_question, q->id);

            if (mq != NULL)
              {
                g_hash_table_remove (by_question, q->id);
                if (mq->n_wrong > 0)
                  g_ptr_array_add (report->missed, mq);
                else
                  missed_question_free (mq);
              }
          }
      /* questions no longer in the quiz */
      g_hash_table_iter_init (&iter, by_question);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          SyMissedQuestion *mq = value;

          if (mq->n_wrong > 0)
            g_ptr_array_add (report->missed, mq);
          else
            missed_question_free (mq);
        }
      quiz_item_clear (&quiz);
    }
  sqlite3_finalize (stmt);
  g_ptr_array_sort (report->missed, compare_missed);
  return TRUE;
}

static SyCoachReport *
make_coach_report (SyStore     *self,
                   sqlite3     *db,
                   const char  *class_uuid,
                   GError     **error)
{
  g_autoptr(SyCoachReport) report = g_new0 (SyCoachReport, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  report->pupils = g_ptr_array_new_with_free_func ((GDestroyNotify) coach_pupil_free);
  report->items = g_ptr_array_new_with_free_func ((GDestroyNotify) coach_item_free);
  report->missed = g_ptr_array_new_with_free_func ((GDestroyNotify) missed_question_free);
  report->not_started = g_ptr_array_new ();
  report->generated = _sy_store_now ();

  if (!(report->class_info = load_class (db, class_uuid, error)))
    return NULL;

  if (!prepare (db, "SELECT l.uuid, l.name, l.avatar FROM class_members m "
                    "JOIN learners l ON l.uuid = m.learner_uuid WHERE m.class_uuid = ? "
                    "ORDER BY m.position, l.name", &stmt, error))
    return NULL;
  bind_text (stmt, 1, class_uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyCoachPupil *pupil = g_new0 (SyCoachPupil, 1);

      pupil->uuid = g_strdup (column_text (stmt, 0));
      pupil->name = g_strdup (column_text (stmt, 1));
      pupil->avatar = g_strdup (column_text (stmt, 2));
      g_ptr_array_add (report->pupils, pupil);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);

  /* assignments in order; a whole course in its modules' and items' order */
  if (!prepare (db, "SELECT i.course_id, i.id, i.type, i.title, c.title "
                    "FROM class_assignments a "
                    "JOIN items i ON i.course_id = a.course_id "
                    "  AND (a.item_id IS NULL OR i.id = a.item_id) "
                    "JOIN modules mo ON mo.course_id = i.course_id AND mo.id = i.module_id "
                    "JOIN courses c ON c.id = i.course_id "
                    "WHERE a.class_uuid = ? "
                    "ORDER BY a.position, mo.position, i.position", &stmt, error))
    return NULL;
  bind_text (stmt, 1, class_uuid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_coach_item (report->items, seen, stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_fail (db, error);

  report->cells = g_new0 (SyCoachCell, MAX (1, report->pupils->len * report->items->len));
  if (!prepare (db, "SELECT status, best_score FROM item_progress WHERE learner_uuid = ? "
                    "AND course_id = ? AND item_id = ?", &stmt, error))
    return NULL;
  for (guint p = 0; p < report->pupils->len; p++)
    {
      SyCoachPupil *pupil = g_ptr_array_index (report->pupils, p);

      for (guint i = 0; i < report->items->len; i++)
        {
          SyCoachItem *item = g_ptr_array_index (report->items, i);
          SyCoachCell *cell = &report->cells[p * report->items->len + i];

          cell->status = SY_STATUS_NOT_STARTED;
          cell->best_score = -1;
          sqlite3_reset (stmt);
          bind_text (stmt, 1, pupil->uuid);
          bind_text (stmt, 2, item->course_id);
          bind_text (stmt, 3, item->item_id);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            {
              cell->status = sqlite3_column_int (stmt, 0);
              if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
                cell->best_score = sqlite3_column_double (stmt, 1);
            }
          else if (rc != SQLITE_DONE)
            {
              sqlite3_finalize (stmt);
              return db_fail (db, error);
            }
          if (cell->status > SY_STATUS_NOT_STARTED)
            pupil->started = TRUE;
        }
      if (!pupil->started)
        g_ptr_array_add (report->not_started, pupil);
    }
  sqlite3_finalize (stmt);

  if (!collect_missed (self, db, report, error))
    return NULL;
  return g_steal_pointer (&report);
}

static gpointer
do_coach_report (SyStore       *self,
                 sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Args *a = data;

  REQUIRE_OPEN (db, error);
  return make_coach_report (self, db, a->class_uuid, error);
}

static gpointer
do_write_coach_report (SyStore       *self,
                       sqlite3       *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  Args *a = data;
  g_autoptr(SyCoachReport) report = NULL;

  REQUIRE_OPEN (db, error);
  if (!(report = make_coach_report (self, db, a->class_uuid, error)) ||
      !sy_coach_report_write_pdf (report, a->path, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* ---- the public API: each job as a sync call and an _async/_finish pair ----
 *
 * An operation is its job function and what frees its result (a ClassJob). The public
 * calls check their arguments and pass them as an Args on their stack; run_job() and
 * queue_job() copy it for the worker thread. */

typedef struct
{
  SyStoreJobFunc  func;
  GDestroyNotify  result_free;
} ClassJob;

static gpointer
run_job (SyStore         *self,
         const ClassJob  *job,
         const Args      *args,
         GCancellable    *cancellable,
         GError         **error)
{
  return _sy_store_run (self, job->func, args_copy (args), (GDestroyNotify) args_free,
                        job->result_free, cancellable, error);
}

static void
queue_job (SyStore             *self,
           const ClassJob      *job,
           const Args          *args,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  _sy_store_queue (self, job->func, args_copy (args), (GDestroyNotify) args_free,
                   job->result_free, source_tag, cancellable, callback, user_data);
}

static const ClassJob create_class_job = { do_create_class, (GDestroyNotify) sy_class_free };
static const ClassJob rename_class_job = { do_rename_class, NULL };
static const ClassJob archive_class_job = { do_archive_class, NULL };
static const ClassJob list_classes_job =
  { do_list_classes, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob add_pupils_job = { do_add_pupils, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob list_pupils_job = { do_list_pupils, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob set_avatar_job = { do_set_avatar, NULL };
static const ClassJob assign_job = { do_assign, NULL };
static const ClassJob unassign_job = { do_unassign, NULL };
static const ClassJob list_assignments_job =
  { do_list_assignments, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob start_session_job =
  { do_start_session, (GDestroyNotify) sy_class_session_free };
static const ClassJob list_sessions_job =
  { do_list_sessions, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob set_attendance_job = { do_set_attendance, NULL };
static const ClassJob list_attendance_job =
  { do_list_attendance, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob record_class_answer_job = { do_record_class_answer, NULL };
static const ClassJob finish_class_quiz_job =
  { do_finish_class_quiz, (GDestroyNotify) g_ptr_array_unref };
static const ClassJob coach_report_job =
  { do_coach_report, (GDestroyNotify) sy_coach_report_free };
static const ClassJob write_coach_report_job = { do_write_coach_report, NULL };
static const ClassJob get_class_job = { do_get_class, (GDestroyNotify) sy_class_free };

/* The three entry points of an operation that takes only a class (sync, _async, _finish
 * over @job), for the operations below that read one class. */
#define DEFINE_CLASS_QUERY(Type, name, job)                                              \
  Type *                                                                                 \
  sy_store_##name (SyStore       *self,                                                  \
                   const char    *class_uuid,                                            \
                   GCancellable  *cancellable,                                           \
                   GError       **error)                                                 \
  {                                                                                      \
    g_return_val_if_fail (SY_IS_STORE (self), NULL);                                     \
    g_return_val_if_fail (class_uuid != NULL, NULL);                                     \
                                                                                         \
    return run_job (self, &job, &(Args) { .class_uuid = class_uuid }, cancellable,       \
                    error);                                                              \
  }                                                                                      \
                                                                                         \
  void                                                                                   \
  sy_store_##name##_async (SyStore             *self,                                    \
                           const char          *class_uuid,                              \
                           GCancellable        *cancellable,                             \
                           GAsyncReadyCallback  callback,                                \
                           gpointer             user_data)                               \
  {                                                                                      \
    g_return_if_fail (SY_IS_STORE (self));                                               \
    g_return_if_fail (class_uuid != NULL);                                               \
                                                                                         \
    queue_job (self, &job, &(Args) { .class_uuid = class_uuid },                         \
               sy_store_##name##_async, cancellable, callback, user_data);               \
  }                                                                                      \
                                                                                         \
  Type *                                                                                 \
  sy_store_##name##_finish (SyStore       *self,                                         \
                            GAsyncResult  *result,                                       \
                            GError       **error)                                        \
  {                                                                                      \
    return _sy_store_finish (self, result, sy_store_##name##_async, error);              \
  }

/**
 * sy_store_create_class:
 *
 * Makes a class owned by a teacher (a learner whose role is teacher). Names are trimmed;
 * a teacher's classes that are not archived have different names.
 *
 * Returns: (transfer full): the class
 */
SyClass *
sy_store_create_class (SyStore       *self,
                       const char    *teacher_uuid,
                       const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (teacher_uuid != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return run_job (self, &create_class_job,
                  &(Args) { .teacher_uuid = teacher_uuid, .name = name },
                  cancellable, error);
}

void
sy_store_create_class_async (SyStore             *self,
                             const char          *teacher_uuid,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (teacher_uuid != NULL);
  g_return_if_fail (name != NULL);

  queue_job (self, &create_class_job, &(Args) { .teacher_uuid = teacher_uuid, .name = name },
             sy_store_create_class_async, cancellable, callback, user_data);
}

SyClass *
sy_store_create_class_finish (SyStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _sy_store_finish (self, result, sy_store_create_class_async, error);
}

/**
 * sy_store_rename_class:
 *
 * Renames a class.
 */
gboolean
sy_store_rename_class (SyStore       *self,
                       const char    *class_uuid,
                       const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (class_uuid != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return run_job (self, &rename_class_job, &(Args) { .class_uuid = class_uuid, .name = name },
                  cancellable, error) != NULL;
}

void
sy_store_rename_class_async (SyStore             *self,
                             const char          *class_uuid,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);
  g_return_if_fail (name != NULL);

  queue_job (self, &rename_class_job, &(Args) { .class_uuid = class_uuid, .name = name },
             sy_store_rename_class_async, cancellable, callback, user_data);
}

gboolean
sy_store_rename_class_finish (SyStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _sy_store_finish (self, result, sy_store_rename_class_async, error) != NULL;
}

/**
 * sy_store_archive_class:
 *
 * Archives a class (hidden from the teacher's list, its records kept) or restores it.
 */
gboolean
sy_store_archive_class (SyStore       *self,
                        const char    *class_uuid,
                        gboolean       archived,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (class_uuid != NULL, FALSE);

  return run_job (self, &archive_class_job,
                  &(Args) { .class_uuid = class_uuid, .flag = archived },
                  cancellable, error) != NULL;
}

void
sy_store_archive_class_async (SyStore             *self,
                              const char          *class_uuid,
                              gboolean             archived,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);

  queue_job (self, &archive_class_job, &(Args) { .class_uuid = class_uuid, .flag = archived },
             sy_store_archive_class_async, cancellable, callback, user_data);
}

gboolean
sy_store_archive_class_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_archive_class_async, error) != NULL;
}

/**
 * sy_store_list_classes:
 * @teacher_uuid: (nullable): one teacher's classes, or %NULL for every class
 *
 * Returns: (transfer full) (element-type SyClass): the classes, by name, archived last
 */
GPtrArray *
sy_store_list_classes (SyStore       *self,
                       const char    *teacher_uuid,
                       gboolean       include_archived,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);

  return run_job (self, &list_classes_job,
                  &(Args) { .teacher_uuid = teacher_uuid, .flag = include_archived },
                  cancellable, error);
}

void
sy_store_list_classes_async (SyStore             *self,
                             const char          *teacher_uuid,
                             gboolean             include_archived,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));

  queue_job (self, &list_classes_job,
             &(Args) { .teacher_uuid = teacher_uuid, .flag = include_archived },
             sy_store_list_classes_async, cancellable, callback, user_data);
}

GPtrArray *
sy_store_list_classes_finish (SyStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_classes_async, error);
}

/**
 * sy_store_add_pupils:
 * @names: (array zero-terminated=1): the pupils' names, as typed in a quick list
 *
 * Adds pupils to a class, in one transaction: each is a new learner with the role
 * learner and no PIN. Names are trimmed and blank ones skipped; a name already in the
 * class (or twice in @names) refuses the whole list, saying which.
 *
 * Returns: (transfer full) (element-type SyLearner): the new pupils, in order
 */
GPtrArray *
sy_store_add_pupils (SyStore             *self,
                     const char          *class_uuid,
                     const char * const  *names,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (class_uuid != NULL, NULL);
  g_return_val_if_fail (names != NULL, NULL);

  return run_job (self, &add_pupils_job, &(Args) { .class_uuid = class_uuid, .names = names },
                  cancellable, error);
}

void
sy_store_add_pupils_async (SyStore             *self,
                           const char          *class_uuid,
                           const char * const  *names,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);
  g_return_if_fail (names != NULL);

  queue_job (self, &add_pupils_job, &(Args) { .class_uuid = class_uuid, .names = names },
             sy_store_add_pupils_async, cancellable, callback, user_data);
}

GPtrArray *
sy_store_add_pupils_finish (SyStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _sy_store_finish (self, result, sy_store_add_pupils_async, error);
}

/**
 * sy_store_list_pupils:
 *
 * Returns: (transfer full) (element-type SyLearner): the class's pupils, in the order they
 *   were added, with their avatars
 */
DEFINE_CLASS_QUERY (GPtrArray, list_pupils, list_pupils_job)

/**
 * sy_store_set_avatar:
 * @avatar: (nullable): a token from sy_avatar_is_valid(), or %NULL for none
 *
 * Sets the picture a learner picked.
 */
gboolean
sy_store_set_avatar (SyStore       *self,
                     const char    *learner_uuid,
                     const char    *avatar,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (learner_uuid != NULL, FALSE);

  return run_job (self, &set_avatar_job,
                  &(Args) { .learner_uuid = learner_uuid, .name = avatar },
                  cancellable, error) != NULL;
}

void
sy_store_set_avatar_async (SyStore             *self,
                           const char          *learner_uuid,
                           const char          *avatar,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (learner_uuid != NULL);

  queue_job (self, &set_avatar_job, &(Args) { .learner_uuid = learner_uuid, .name = avatar },
             sy_store_set_avatar_async, cancellable, callback, user_data);
}

gboolean
sy_store_set_avatar_finish (SyStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _sy_store_finish (self, result, sy_store_set_avatar_async, error) != NULL;
}

/**
 * sy_store_assign:
 * @item_id: (nullable): one item, or %NULL for the whole course
 *
 * Assigns an installed course, or one of its items, to a class.
 */
gboolean
sy_store_assign (SyStore       *self,
                 const char    *class_uuid,
                 const char    *course_id,
                 const char    *item_id,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (class_uuid != NULL, FALSE);
  g_return_val_if_fail (course_id != NULL, FALSE);

  return run_job (self, &assign_job,
                  &(Args) { .class_uuid = class_uuid, .course_id = course_id,
                            .item_id = item_id },
                  cancellable, error) != NULL;
}

void
sy_store_assign_async (SyStore             *self,
                       const char          *class_uuid,
                       const char          *course_id,
                       const char          *item_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);
  g_return_if_fail (course_id != NULL);

  queue_job (self, &assign_job,
             &(Args) { .class_uuid = class_uuid, .course_id = course_id, .item_id = item_id },
             sy_store_assign_async, cancellable, callback, user_data);
}

gboolean
sy_store_assign_finish (SyStore       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return _sy_store_finish (self, result, sy_store_assign_async, error) != NULL;
}

/**
 * sy_store_unassign:
 * @item_id: (nullable): one item, or %NULL for the whole course
 *
 * Takes back an assignment. Progress is kept: it is the pupils'.
 */
gboolean
sy_store_unassign (SyStore       *self,
                   const char    *class_uuid,
                   const char    *course_id,
                   const char    *item_id,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (class_uuid != NULL, FALSE);
  g_return_val_if_fail (course_id != NULL, FALSE);

  return run_job (self, &unassign_job,
                  &(Args) { .class_uuid = class_uuid, .course_id = course_id,
                            .item_id = item_id },
                  cancellable, error) != NULL;
}

void
sy_store_unassign_async (SyStore             *self,
                         const char          *class_uuid,
                         const char          *course_id,
                         const char          *item_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);
  g_return_if_fail (course_id != NULL);

  queue_job (self, &unassign_job,
             &(Args) { .class_uuid = class_uuid, .course_id = course_id, .item_id = item_id },
             sy_store_unassign_async, cancellable, callback, user_data);
}

gboolean
sy_store_unassign_finish (SyStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return _sy_store_finish (self, result, sy_store_unassign_async, error) != NULL;
}

/**
 * sy_store_list_assignments:
 *
 * Returns: (transfer full) (element-type SyClassAssignment): what is assigned, in order
 */
DEFINE_CLASS_QUERY (GPtrArray, list_assignments, list_assignments_job)

/**
 * sy_store_start_session:
 * @title: (nullable): what the teacher calls it, e.g. “第三课”
 *
 * Starts a class session, now: attendance and class quizzes are recorded in one.
 *
 * Returns: (transfer full): the session
 */
SyClassSession *
sy_store_start_session (SyStore       *self,
                        const char    *class_uuid,
                        const char    *title,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (class_uuid != NULL, NULL);

  return run_job (self, &start_session_job, &(Args) { .class_uuid = class_uuid, .name = title },
                  cancellable, error);
}

void
sy_store_start_session_async (SyStore             *self,
                              const char          *class_uuid,
                              const char          *title,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);

  queue_job (self, &start_session_job, &(Args) { .class_uuid = class_uuid, .name = title },
             sy_store_start_session_async, cancellable, callback, user_data);
}

SyClassSession *
sy_store_start_session_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_start_session_async, error);
}

/**
 * sy_store_list_sessions:
 *
 * Returns: (transfer full) (element-type SyClassSession): the class's sessions, latest first
 */
DEFINE_CLASS_QUERY (GPtrArray, list_sessions, list_sessions_job)

/**
 * sy_store_set_attendance:
 *
 * Marks a pupil present (an `attended` statement about the session, with the teacher as
 * context.instructor and the class as context.team) or absent (voiding the statements
 * that said present). Marking again what is already so records nothing.
 */
gboolean
sy_store_set_attendance (SyStore       *self,
                         const char    *session_uuid,
                         const char    *learner_uuid,
                         gboolean       present,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (session_uuid != NULL, FALSE);
  g_return_val_if_fail (learner_uuid != NULL, FALSE);

  return run_job (self, &set_attendance_job,
                  &(Args) { .session_uuid = session_uuid, .learner_uuid = learner_uuid,
                            .flag = present },
                  cancellable, error) != NULL;
}

void
sy_store_set_attendance_async (SyStore             *self,
                               const char          *session_uuid,
                               const char          *learner_uuid,
                               gboolean             present,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (session_uuid != NULL);
  g_return_if_fail (learner_uuid != NULL);

  queue_job (self, &set_attendance_job,
             &(Args) { .session_uuid = session_uuid, .learner_uuid = learner_uuid,
                       .flag = present },
             sy_store_set_attendance_async, cancellable, callback, user_data);
}

gboolean
sy_store_set_attendance_finish (SyStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return _sy_store_finish (self, result, sy_store_set_attendance_async, error) != NULL;
}

/**
 * sy_store_list_attendance:
 *
 * Returns: (transfer full) (element-type SyAttendance): every pupil of the session's
 *   class, in class order, present or not: a projection of the statements, whatever their
 *   order or number
 */
GPtrArray *
sy_store_list_attendance (SyStore       *self,
                          const char    *session_uuid,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (session_uuid != NULL, NULL);

  return run_job (self, &list_attendance_job, &(Args) { .session_uuid = session_uuid },
                  cancellable, error);
}

void
sy_store_list_attendance_async (SyStore             *self,
                                const char          *session_uuid,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (session_uuid != NULL);

  queue_job (self, &list_attendance_job, &(Args) { .session_uuid = session_uuid },
             sy_store_list_attendance_async, cancellable, callback, user_data);
}

GPtrArray *
sy_store_list_attendance_finish (SyStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_attendance_async, error);
}

/**
 * sy_store_record_class_answer:
 * @response: (nullable): the pupil's answer in xAPI's format for the question (as
 *   #SyQuestionInput makes it), or %NULL when the pupil is absent
 *
 * Records a pupil's answer in a class quiz: the teacher shows the question and types each
 * pupil's answer. It is graded by the core and recorded as the pupil's own statements
 * would be (`attempted` on the pupil's first answer, then `answered`), with the teacher
 * as context.instructor and the class as context.team. A pupil's answers in one session
 * belong to one attempt; answering a question again replaces the answer.
 *
 * Returns: whether it was right, %SY_CLASS_ANSWER_ABSENT if nothing was recorded, or
 *   %SY_CLASS_ANSWER_FAILED with @error set
 */
SyClassAnswer
sy_store_record_class_answer (SyStore       *self,
                              const char    *session_uuid,
                              const char    *learner_uuid,
                              const char    *course_id,
                              const char    *item_id,
                              const char    *question_id,
                              const char    *response,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), SY_CLASS_ANSWER_FAILED);
  g_return_val_if_fail (session_uuid != NULL, SY_CLASS_ANSWER_FAILED);
  g_return_val_if_fail (learner_uuid != NULL, SY_CLASS_ANSWER_FAILED);
  g_return_val_if_fail (course_id != NULL, SY_CLASS_ANSWER_FAILED);
  g_return_val_if_fail (item_id != NULL, SY_CLASS_ANSWER_FAILED);
  g_return_val_if_fail (question_id != NULL, SY_CLASS_ANSWER_FAILED);

  return GPOINTER_TO_INT (run_job (self, &record_class_answer_job,
                                  &(Args) { .session_uuid = session_uuid,
                                            .learner_uuid = learner_uuid,
                                            .course_id = course_id, .item_id = item_id,
                                            .question_id = question_id, .response = response },
                                  cancellable, error));
}

void
sy_store_record_class_answer_async (SyStore             *self,
                                    const char          *session_uuid,
                                    const char          *learner_uuid,
                                    const char          *course_id,
                                    const char          *item_id,
                                    const char          *question_id,
                                    const char          *response,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (session_uuid != NULL);
  g_return_if_fail (learner_uuid != NULL);
  g_return_if_fail (course_id != NULL);
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (question_id != NULL);

  queue_job (self, &record_class_answer_job,
             &(Args) { .session_uuid = session_uuid, .learner_uuid = learner_uuid,
                       .course_id = course_id, .item_id = item_id, .question_id = question_id,
                       .response = response },
             sy_store_record_class_answer_async, cancellable, callback, user_data);
}

SyClassAnswer
sy_store_record_class_answer_finish (SyStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return GPOINTER_TO_INT (_sy_store_finish (self, result, sy_store_record_class_answer_async, error));
}

/**
 * sy_store_finish_class_quiz:
 *
 * Ends a class quiz: for every pupil who answered in the session, records the result
 * (`passed` or `failed` with the score; a survey `completed`) and the course's completion
 * if it is the last item. Questions a pupil did not answer count as not right. Finishing
 * again records nothing more.
 *
 * Returns: (transfer full) (element-type SyClassQuizResult): the pupils' results
 */
GPtrArray *
sy_store_finish_class_quiz (SyStore       *self,
                            const char    *session_uuid,
                            const char    *course_id,
                            const char    *item_id,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (session_uuid != NULL, NULL);
  g_return_val_if_fail (course_id != NULL, NULL);
  g_return_val_if_fail (item_id != NULL, NULL);

  return run_job (self, &finish_class_quiz_job,
                  &(Args) { .session_uuid = session_uuid, .course_id = course_id,
                            .item_id = item_id },
                  cancellable, error);
}

void
sy_store_finish_class_quiz_async (SyStore             *self,
                                  const char          *session_uuid,
                                  const char          *course_id,
                                  const char          *item_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (session_uuid != NULL);
  g_return_if_fail (course_id != NULL);
  g_return_if_fail (item_id != NULL);

  queue_job (self, &finish_class_quiz_job,
             &(Args) { .session_uuid = session_uuid, .course_id = course_id,
                       .item_id = item_id },
             sy_store_finish_class_quiz_async, cancellable, callback, user_data);
}

GPtrArray *
sy_store_finish_class_quiz_finish (SyStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _sy_store_finish (self, result, sy_store_finish_class_quiz_async, error);
}

/**
 * sy_store_coach_report:
 *
 * Makes a class's coach report: pupils × assigned items, the questions most often missed
 * and who has not started.
 *
 * Returns: (transfer full): the report
 */
DEFINE_CLASS_QUERY (SyCoachReport, coach_report, coach_report_job)

/**
 * sy_store_write_coach_report:
 * @path: where to write the PDF; a file there is replaced
 *
 * Writes a class's coach report as an A4 PDF, for printing.
 */
gboolean
sy_store_write_coach_report (SyStore       *self,
                             const char    *class_uuid,
                             const char    *path,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (class_uuid != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return run_job (self, &write_coach_report_job,
                  &(Args) { .class_uuid = class_uuid, .path = path },
                  cancellable, error) != NULL;
}

void
sy_store_write_coach_report_async (SyStore             *self,
                                   const char          *class_uuid,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (class_uuid != NULL);
  g_return_if_fail (path != NULL);

  queue_job (self, &write_coach_report_job, &(Args) { .class_uuid = class_uuid, .path = path },
             sy_store_write_coach_report_async, cancellable, callback, user_data);
}

gboolean
sy_store_write_coach_report_finish (SyStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _sy_store_finish (self, result, sy_store_write_coach_report_async, error) != NULL;
}

/**
 * sy_store_get_class:
 *
 * Returns: (transfer full): the class, with its pupil count, or %NULL with
 *   %SY_STORE_ERROR_NOT_FOUND
 */
DEFINE_CLASS_QUERY (SyClass, get_class, get_class_job)
