/* sy-store.h — the device's SQLite store and course content
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-classroom.h"
#include "sy-course.h"
#include "sy-learner.h"
#include "sy-statement.h"

G_BEGIN_DECLS

#define SY_STORE_ERROR (sy_store_error_quark ())

/**
 * SyStoreError:
 * @SY_STORE_ERROR_OPEN: the data folder or the database cannot be opened
 * @SY_STORE_ERROR_NEWER_SCHEMA: the database was written by a newer Shuyuan
 * @SY_STORE_ERROR_DATABASE: SQLite failed (disk full, corruption…)
 * @SY_STORE_ERROR_NOT_FOUND: no such course or learner
 * @SY_STORE_ERROR_INVALID: an argument a user typed is not acceptable (an empty name…)
 * @SY_STORE_ERROR_WRONG_PIN: the PIN does not match
 * @SY_STORE_ERROR_LOCKED: too many wrong PINs; the profile is locked for a while
 * @SY_STORE_ERROR_NO_ATTEMPTS_LEFT: the quiz's attempt limit is reached
 */
typedef enum
{
  SY_STORE_ERROR_OPEN,
  SY_STORE_ERROR_NEWER_SCHEMA,
  SY_STORE_ERROR_DATABASE,
  SY_STORE_ERROR_NOT_FOUND,
  SY_STORE_ERROR_INVALID,
  SY_STORE_ERROR_WRONG_PIN,
  SY_STORE_ERROR_LOCKED,
  SY_STORE_ERROR_NO_ATTEMPTS_LEFT,
} SyStoreError;

/* Wrong PINs in a row that lock a profile, and for how long */
#define SY_PIN_MAX_FAILURES 5
#define SY_PIN_LOCK_SECONDS 60

/**
 * SyAttempt:
 * @registration: the attempt's UUID (the xAPI registration of its statements)
 * @number: 1 for the learner's first attempt at the quiz
 * @seed: what its options were shuffled with
 * @answers: question id → the last response given
 * @started: (nullable): when it began (ISO 8601), as the PC believed
 * @finished: whether a result was recorded
 * @passed: with @finished: whether it passed (surveys: completed)
 * @score: with @finished: the scaled score, or -1 for a survey
 *
 * A quiz or survey attempt. An open one (not finished: the app or the PC stopped) resumes
 * where it was, since its answers were committed one by one.
 */
typedef struct
{
  char       *registration;
  int         number;
  gint64      seed;
  GHashTable *answers;
  char       *started;
  gboolean    finished;
  gboolean    passed;
  double      score;
} SyAttempt;

/**
 * SyCourseProgress:
 *
 * One learner's progress in one course, for reports and certificates.
 */
typedef struct
{
  char     *learner_uuid;
  char     *learner_name;
  char     *external_id;
  char     *course_id;
  SyText   *course_title;
  char     *programme;
  guint     n_items;
  guint     n_done;
  double    seconds;
  double    class_hours;
  double    credits;
  char     *completed;          /* timestamp of the course's completion, or NULL */
  char     *completion_id;      /* the statement that says so */
} SyCourseProgress;

void        sy_attempt_free               (SyAttempt            *attempt);
void        sy_course_progress_free       (SyCourseProgress     *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyAttempt, sy_attempt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyCourseProgress, sy_course_progress_free)

/**
 * SyQuarantined:
 * @statement_id: the statement the hub refused for good
 * @learner_uuid, @learner_name: whose it is (the name NULL if not a learner of this PC)
 * @verb, @activity, @timestamp: what it says, and when the PC believed it happened
 * @status: the hub's HTTP status (409: the hub has another statement with this id;
 *   400: the hub found it invalid)
 * @reason: the hub's words
 * @since: when it was quarantined
 *
 * A record that stays on this PC until somebody decides: see sy_store_list_quarantine().
 */
typedef struct
{
  char  *statement_id;
  char  *learner_uuid;
  char  *learner_name;
  char  *verb;
  char  *activity;
  char  *timestamp;
  guint  status;
  char  *reason;
  char  *since;
} SyQuarantined;

void        sy_quarantined_free           (SyQuarantined        *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyQuarantined, sy_quarantined_free)

/**
 * SyImportOutcome:
 * @SY_IMPORT_INSTALLED: the course is new on this PC
 * @SY_IMPORT_UPDATED: a newer version replaced the installed one
 * @SY_IMPORT_UNCHANGED: this version was already installed; nothing changed
 */
typedef enum
{
  SY_IMPORT_INSTALLED,
  SY_IMPORT_UPDATED,
  SY_IMPORT_UNCHANGED,
} SyImportOutcome;

#define SY_TYPE_STORE (sy_store_get_type ())

G_DECLARE_FINAL_TYPE (SyStore, sy_store, SY, STORE, GObject)

GQuark      sy_store_error_quark          (void);

SyStore    *sy_store_new                  (const char           *data_dir);
const char *sy_store_get_data_dir         (SyStore              *self);
const char *sy_store_get_device_id        (SyStore              *self);

void        sy_store_open_async           (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    sy_store_open_finish          (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
gboolean    sy_store_open                 (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_import_async         (SyStore              *self,
                                           GFile                *source,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyCourse   *sy_store_import_finish        (SyStore              *self,
                                           GAsyncResult         *result,
                                           SyImportOutcome      *outcome,
                                           GError              **error);
SyCourse   *sy_store_import               (SyStore              *self,
                                           GFile                *source,
                                           SyImportOutcome      *outcome,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_list_courses_async   (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_courses_finish  (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
GPtrArray  *sy_store_list_courses         (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_get_course_async     (SyStore              *self,
                                           const char           *course_id,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyCourse   *sy_store_get_course_finish    (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
SyCourse   *sy_store_get_course           (SyStore              *self,
                                           const char           *course_id,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_add_learner_async    (SyStore              *self,
                                           const char           *name,
                                           SyRole                role,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyLearner  *sy_store_add_learner_finish   (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
SyLearner  *sy_store_add_learner          (SyStore              *self,
                                           const char           *name,
                                           SyRole                role,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_list_learners_async  (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_learners_finish (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
GPtrArray  *sy_store_list_learners        (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

SyLearner  *sy_store_add_learner_full     (SyStore              *self,
                                           const char           *name,
                                           SyRole                role,
                                           const char           *pin,
                                           const char           *external_id,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_add_learner_full_async (SyStore            *self,
                                           const char           *name,
                                           SyRole                role,
                                           const char           *pin,
                                           const char           *external_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);

gboolean    sy_store_check_pin            (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *pin,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_check_pin_async      (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *pin,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    sy_store_check_pin_finish     (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);

char       *sy_store_record               (SyStore              *self,
                                           const SyEvent        *event,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_record_async         (SyStore              *self,
                                           const SyEvent        *event,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char       *sy_store_record_finish        (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);

SyAttempt  *sy_store_start_attempt        (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_start_attempt_async  (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyAttempt  *sy_store_start_attempt_finish (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        sy_store_get_open_attempt_async (SyStore            *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyAttempt  *sy_store_get_open_attempt_finish (SyStore           *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        sy_store_list_progress_async  (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_progress_finish (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
SyAttempt  *sy_store_get_open_attempt     (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GError              **error);

GPtrArray  *sy_store_list_attempts        (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_list_attempts_async  (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *item_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_attempts_finish (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
GPtrArray  *sy_store_list_progress        (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GError              **error);
gboolean    sy_store_export_statements    (SyStore              *self,
                                           const char           *since,
                                           GOutputStream        *output,
                                           guint                *n_written,
                                           GCancellable         *cancellable,
                                           GError              **error);
gboolean    sy_store_import_statements    (SyStore              *self,
                                           GInputStream         *input,
                                           guint                *n_added,
                                           guint                *n_known,
                                           GCancellable         *cancellable,
                                           GError              **error);
char       *sy_store_write_certificate    (SyStore              *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        sy_store_write_certificate_async (SyStore           *self,
                                           const char           *learner_uuid,
                                           const char           *course_id,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char       *sy_store_write_certificate_finish (SyStore          *self,
                                           GAsyncResult         *result,
                                           GError              **error);
gboolean    sy_store_rebuild_projections  (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* sync: sy-store-sync.c (the engine itself is sy-sync.h) */
GPtrArray  *sy_store_list_quarantine      (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* classrooms: sy-store-classes.c */
SyClass *     sy_store_get_class                    (SyStore       *self,
                                                     const char    *class_uuid,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_get_class_async              (SyStore             *self,
                                                     const char          *class_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SyClass *     sy_store_get_class_finish             (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
SyClass *     sy_store_create_class                 (SyStore       *self,
                                                     const char    *teacher_uuid,
                                                     const char    *name,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_create_class_async           (SyStore             *self,
                                                     const char          *teacher_uuid,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SyClass *     sy_store_create_class_finish          (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_rename_class                 (SyStore       *self,
                                                     const char    *class_uuid,
                                                     const char    *name,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_rename_class_async           (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_rename_class_finish          (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_archive_class                (SyStore       *self,
                                                     const char    *class_uuid,
                                                     gboolean       archived,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_archive_class_async          (SyStore             *self,
                                                     const char          *class_uuid,
                                                     gboolean             archived,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_archive_class_finish         (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_list_classes                 (SyStore       *self,
                                                     const char    *teacher_uuid,
                                                     gboolean       include_archived,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_list_classes_async           (SyStore             *self,
                                                     const char          *teacher_uuid,
                                                     gboolean             include_archived,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_list_classes_finish          (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_add_pupils                   (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char * const  *names,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
void          sy_store_add_pupils_async             (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char * const  *names,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_add_pupils_finish            (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_list_pupils                  (SyStore       *self,
                                                     const char    *class_uuid,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_list_pupils_async            (SyStore             *self,
                                                     const char          *class_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_list_pupils_finish           (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_set_avatar                   (SyStore       *self,
                                                     const char    *learner_uuid,
                                                     const char    *avatar,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_set_avatar_async             (SyStore             *self,
                                                     const char          *learner_uuid,
                                                     const char          *avatar,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_set_avatar_finish            (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_assign                       (SyStore       *self,
                                                     const char    *class_uuid,
                                                     const char    *course_id,
                                                     const char    *item_id,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_assign_async                 (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char          *course_id,
                                                     const char          *item_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_assign_finish                (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_unassign                     (SyStore       *self,
                                                     const char    *class_uuid,
                                                     const char    *course_id,
                                                     const char    *item_id,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_unassign_async               (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char          *course_id,
                                                     const char          *item_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_unassign_finish              (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_list_assignments             (SyStore       *self,
                                                     const char    *class_uuid,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_list_assignments_async       (SyStore             *self,
                                                     const char          *class_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_list_assignments_finish      (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
SyClassSession * sy_store_start_session                (SyStore       *self,
                                                        const char    *class_uuid,
                                                        const char    *title,
                                                        GCancellable  *cancellable,
                                                        GError       **error);
void          sy_store_start_session_async          (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char          *title,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SyClassSession * sy_store_start_session_finish         (SyStore       *self,
                                                        GAsyncResult  *result,
                                                        GError       **error);
GPtrArray *   sy_store_list_sessions                (SyStore       *self,
                                                     const char    *class_uuid,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_list_sessions_async          (SyStore             *self,
                                                     const char          *class_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_list_sessions_finish         (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
gboolean      sy_store_set_attendance               (SyStore       *self,
                                                     const char    *session_uuid,
                                                     const char    *learner_uuid,
                                                     gboolean       present,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_set_attendance_async         (SyStore             *self,
                                                     const char          *session_uuid,
                                                     const char          *learner_uuid,
                                                     gboolean             present,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_set_attendance_finish        (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_list_attendance              (SyStore       *self,
                                                     const char    *session_uuid,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_list_attendance_async        (SyStore             *self,
                                                     const char          *session_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_list_attendance_finish       (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
SyClassAnswer sy_store_record_class_answer          (SyStore       *self,
                                                     const char    *session_uuid,
                                                     const char    *learner_uuid,
                                                     const char    *course_id,
                                                     const char    *item_id,
                                                     const char    *question_id,
                                                     const char    *response,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_record_class_answer_async    (SyStore             *self,
                                                     const char          *session_uuid,
                                                     const char          *learner_uuid,
                                                     const char          *course_id,
                                                     const char          *item_id,
                                                     const char          *question_id,
                                                     const char          *response,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SyClassAnswer sy_store_record_class_answer_finish   (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
GPtrArray *   sy_store_finish_class_quiz            (SyStore       *self,
                                                     const char    *session_uuid,
                                                     const char    *course_id,
                                                     const char    *item_id,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_finish_class_quiz_async      (SyStore             *self,
                                                     const char          *session_uuid,
                                                     const char          *course_id,
                                                     const char          *item_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray *   sy_store_finish_class_quiz_finish     (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
SyCoachReport * sy_store_coach_report                 (SyStore       *self,
                                                       const char    *class_uuid,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
void          sy_store_coach_report_async           (SyStore             *self,
                                                     const char          *class_uuid,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SyCoachReport * sy_store_coach_report_finish          (SyStore       *self,
                                                       GAsyncResult  *result,
                                                       GError       **error);
gboolean      sy_store_write_coach_report           (SyStore       *self,
                                                     const char    *class_uuid,
                                                     const char    *path,
                                                     GCancellable  *cancellable,
                                                     GError       **error);
void          sy_store_write_coach_report_async     (SyStore             *self,
                                                     const char          *class_uuid,
                                                     const char          *path,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      sy_store_write_coach_report_finish    (SyStore       *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

G_END_DECLS
