/* sy-report.h — a coordinator's reports over this PC's records: completions, surveys,
 * their CSV and XLSX exports, batch certificates, and voiding a wrong record
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-quiz.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_REPORT_ERROR (sy_report_error_quark ())

/**
 * SyReportError:
 * @SY_REPORT_ERROR_WRITE: a file could not be written (the message says which and why)
 * @SY_REPORT_ERROR_NOT_SUPPORTED: this build cannot write XLSX (built without libxlsxwriter)
 * @SY_REPORT_ERROR_INVALID: a filter is not acceptable (a date that is not a date…)
 */
typedef enum
{
  SY_REPORT_ERROR_WRITE,
  SY_REPORT_ERROR_NOT_SUPPORTED,
  SY_REPORT_ERROR_INVALID,
} SyReportError;

/* Seconds in a class hour (学时), as the course page counts studied time */
#define SY_SECONDS_PER_CLASS_HOUR (45 * 60)

/**
 * SyReportFilter:
 * @programme: (nullable): only courses of this programme
 * @course_id: (nullable): only this course
 * @learner_uuid: (nullable): only this learner
 * @from: (nullable): ISO 8601 date (a local day) or time: completed (or, not completed,
 *   last active) at or after it
 * @to: (nullable): likewise, at or before it (a date includes the whole day)
 * @status: -1 for any, else a #SyStatus (%SY_STATUS_NOT_STARTED lists the learners of
 *   this PC who have not begun the courses; %SY_STATUS_PASSED is taken as completed)
 *
 * Which rows a completion report holds. A zeroed filter with @status -1 takes everything:
 * see sy_report_filter_init().
 */
typedef struct
{
  const char *programme;
  const char *course_id;
  const char *learner_uuid;
  const char *from;
  const char *to;
  int         status;
} SyReportFilter;

/**
 * SyCompletionRow:
 * @learner_uuid, @learner_name, @external_id: who (the name from their records when the
 *   learner is not registered on this PC; @external_id, e.g. a registration number, may be
 *   %NULL)
 * @device_id: (nullable): the PC that recorded the completion (else the latest activity):
 *   which village or clinic it happened in
 * @course_id, @course_title, @programme: the course (title and programme %NULL when the
 *   course is not installed on this PC)
 * @status: %SY_STATUS_NOT_STARTED, %SY_STATUS_IN_PROGRESS or %SY_STATUS_COMPLETED
 * @n_done, @n_items: items done, of the course's items
 * @seconds: time studied
 * @class_hours: earned: the course's class hours when completed, else the time studied in
 *   45-minute class hours, rounded down to a tenth, at most the course's
 * @credits: earned: the course's credits when completed, else 0
 * @completed: (nullable): when (ISO 8601, as the PC believed)
 * @last_activity: (nullable): the latest record about the course
 * @completion_id: (nullable): the statement that says the course was completed: a pass
 *   (certificate) can be issued
 * @verification_code: (nullable): the certificate's code, with @completion_id
 */
typedef struct
{
  char     *learner_uuid;
  char     *learner_name;
  char     *external_id;
  char     *device_id;
  char     *course_id;
  SyText   *course_title;
  char     *programme;
  SyStatus  status;
  guint     n_done;
  guint     n_items;
  double    seconds;
  double    class_hours;
  double    credits;
  char     *completed;
  char     *last_activity;
  char     *completion_id;
  char     *verification_code;
} SyCompletionRow;

/**
 * SyCompletionReport:
 * @rows: (element-type SyCompletionRow): one per learner and course, by learner name
 * @n_completions: rows completed (each learner × course once, however many times and in
 *   whatever order its records arrived)
 * @n_passes: completions a pass can be issued for
 * @n_learners: distinct learners in @rows
 * @class_hours: the sum of the rows' class hours
 * @credits: the sum of the rows' credits
 * @generated: when the report was made (ISO 8601)
 */
typedef struct
{
  GPtrArray *rows;
  guint      n_completions;
  guint      n_passes;
  guint      n_learners;
  double     class_hours;
  double     credits;
  char      *generated;
} SyCompletionReport;

/**
 * SyAnswerCount:
 * @answer: an option id (choice, Likert) or a free-text answer
 * @label: (nullable): the option's text
 * @count: how many answers
 */
typedef struct
{
  char   *answer;
  SyText *label;
  guint   count;
} SyAnswerCount;

/**
 * SyAnswerStats:
 * @n_answers: attempts that answered the question
 * @counts: (element-type SyAnswerCount): choice and Likert: per option, in the survey's
 *   order (a multiple choice counts every option chosen); text: each distinct answer, most
 *   frequent first; number: per histogram bucket (see #SySurveyQuestion)
 * @mean, @min, @max: number: over the answers (0 when none)
 *
 * The distribution of one question's answers in a set of attempts.
 */
typedef struct
{
  guint      n_answers;
  GPtrArray *counts;
  double     mean;
  double     min;
  double     max;
} SyAnswerStats;

/**
 * SySurveyQuestion:
 * @question_id, @type, @prompt, @unit: the question (@unit for numbers, may be %NULL)
 * @all: the last answer of every attempt
 * @first: the first attempt of each learner who took the survey more than once
 * @latest: the latest attempt of those same learners
 * @bucket_start, @bucket_width, @n_buckets: number: the histogram's buckets, the same for
 *   the three sets; bucket i holds [start + i·width, start + (i+1)·width), the last one
 *   also its upper end
 */
typedef struct
{
  char           *question_id;
  SyQuestionType  type;
  SyText         *prompt;
  SyText         *unit;
  SyAnswerStats  *all;
  SyAnswerStats  *first;
  SyAnswerStats  *latest;
  double          bucket_start;
  double          bucket_width;
  guint           n_buckets;
} SySurveyQuestion;

/**
 * SySurveyReport:
 * @course_id, @item_id, @course_title, @title: the survey
 * @n_attempts: attempts with at least one answer
 * @n_learners: learners who answered
 * @n_repeated: learners who took it twice or more (the before/after group)
 * @questions: (element-type SySurveyQuestion): in the survey's order
 */
typedef struct
{
  char      *course_id;
  char      *item_id;
  SyText    *course_title;
  SyText    *title;
  guint      n_attempts;
  guint      n_learners;
  guint      n_repeated;
  GPtrArray *questions;
} SySurveyReport;

GQuark               sy_report_error_quark            (void);
void                 sy_report_filter_init            (SyReportFilter       *filter);
void                 sy_completion_report_free        (SyCompletionReport   *report);
void                 sy_survey_report_free            (SySurveyReport       *report);
const char          *sy_report_status_display         (SyStatus              status);

SyCompletionReport  *sy_store_report_completions        (SyStore              *store,
                                                         const SyReportFilter *filter,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void                 sy_store_report_completions_async  (SyStore              *store,
                                                         const SyReportFilter *filter,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
SyCompletionReport  *sy_store_report_completions_finish (SyStore              *store,
                                                         GAsyncResult         *result,
                                                         GError              **error);

GPtrArray           *sy_store_report_surveys            (SyStore              *store,
                                                         const char           *course_id,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void                 sy_store_report_surveys_async      (SyStore              *store,
                                                         const char           *course_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray           *sy_store_report_surveys_finish     (SyStore              *store,
                                                         GAsyncResult         *result,
                                                         GError              **error);

char                *sy_store_void_statement            (SyStore              *store,
                                                         const char           *statement_id,
                                                         const char           *voider_uuid,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void                 sy_store_void_statement_async      (SyStore              *store,
                                                         const char           *statement_id,
                                                         const char           *voider_uuid,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
char                *sy_store_void_statement_finish     (SyStore              *store,
                                                         GAsyncResult         *result,
                                                         GError              **error);

char                *sy_report_completions_to_json      (const SyCompletionReport *report);
char                *sy_report_surveys_to_json          (GPtrArray            *surveys);
GBytes              *sy_report_completions_to_csv       (const SyCompletionReport *report);
GBytes              *sy_report_surveys_to_csv           (GPtrArray            *surveys);
gboolean             sy_report_write_csv                (GBytes               *csv,
                                                         const char           *path,
                                                         GError              **error);
gboolean             sy_report_write_xlsx               (const SyCompletionReport *completions,
                                                         GPtrArray            *surveys,
                                                         const char           *path,
                                                         GError              **error);

GPtrArray           *sy_report_write_certificates       (SyStore              *store,
                                                         GPtrArray            *rows,
                                                         const char           *folder,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void                 sy_report_write_certificates_async (SyStore              *store,
                                                         GPtrArray            *rows,
                                                         const char           *folder,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray           *sy_report_write_certificates_finish (SyStore             *store,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyCompletionReport, sy_completion_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SySurveyReport, sy_survey_report_free)

G_END_DECLS
