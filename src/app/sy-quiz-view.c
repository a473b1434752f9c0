/* sy-quiz-view.c — taking a quiz or answering a survey
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pages, in a stack: "loading", "error", "start" (facts, earlier attempts, Start or
 * Continue), "question" (one at a time), "result" and "review". Every answer is recorded as
 * soon as it is given and before the next question shows, so a power cut costs at most the
 * answer being typed; the store's open attempt brings the rest back.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-format.h"
#include "sy-question-history.h"
#include "sy-question-input.h"
#include "sy-quiz-view.h"
#include "sy-quiz.h"

/* Scores are ratios of small integers; a pass mark such as 0.7 written in a course file
 * must not fail 7 of 10 through a last-bit difference. */
#define SCORE_EPSILON 1e-9

struct _SyQuizView
{
  GtkWidget          parent_instance;

  SyStore           *store;
  SyLearner         *learner;
  SyCourse          *course;
  SyItem            *item;            /* owned by course */
  SyQuiz            *quiz;
  gboolean           survey;
  gboolean           immediate;       /* right or wrong after each answer */

  /* Loading is cancelled with the view; recording never is: an answer the learner gave
   * must reach the store even if they leave at once. */
  GCancellable      *cancellable;
  gboolean           open_loaded;
  gboolean           history_loaded;
  GPtrArray         *history;         /* SyPastAttempt, oldest first; NULL if unknown */

  SyAttempt         *attempt;
  GPtrArray         *responses;       /* by question: the recorded response, or NULL */
  GArray            *correct;         /* by question: gboolean */
  guint              index;           /* the question on screen */
  gboolean           busy;            /* a record is on its way to the store */
  gboolean           finished;        /* the result is recorded */
  gboolean           result_failed;   /* recording the result failed: the button retries */
  guint              n_right;
  guint              n_graded;
  double             score;
  gboolean           passed;
  gint64             counting_since;  /* monotonic µs; 0 while not counting */
  double             seconds;
  const char        *review_return;   /* the page the review goes back to */

  SyQuestionInput   *input;

  GtkWidget         *main_box;
  GtkStack          *stack;
  GtkSpinner        *spinner;
  AdwStatusPage     *error_page;
  AdwStatusPage     *start_page;
  GtkButton         *start_button;
  GtkLabel          *start_message;
  AdwPreferencesGroup *facts_group;
  GtkWidget         *pass_row;
  GtkWidget         *attempts_row;
  GtkWidget         *best_row;
  GtkLabel          *questions_label;
  GtkLabel          *pass_label;
  GtkLabel          *attempts_label;
  GtkLabel          *best_label;
  GtkWidget         *history_group;
  GtkListBox        *history_list;
  GtkProgressBar    *progress_bar;
  GtkScrolledWindow *question_scroller;
  GtkLabel          *progress_label;
  GtkLabel          *prompt_label;
  AdwBin            *input_bin;
  GtkLabel          *error_label;
  GtkRevealer       *feedback_revealer;
  GtkWidget         *feedback_box;
  GtkImage          *feedback_icon;
  GtkLabel          *feedback_title;
  GtkWidget         *correct_caption;
  GtkLabel          *correct_label;
  GtkLabel          *feedback_label;
  GtkButton         *previous_button;
  GtkLabel          *busy_label;
  GtkButton         *primary_button;
  GtkImage          *result_icon;
  GtkLabel          *score_label;
  GtkLabel          *verdict_label;
  GtkLabel          *result_detail;
  GtkButton         *review_button;
  GtkButton         *done_button;
  GtkWidget         *summary_group;
  GtkListBox        *summary_list;
  GtkScrolledWindow *review_scroller;
  GtkLabel          *review_title;
  GtkLabel          *review_subtitle;
  GtkBox            *review_box;
};

G_DEFINE_FINAL_TYPE (SyQuizView, sy_quiz_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_LEARNER,
  PROP_COURSE,
  PROP_ITEM,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void show_question   (SyQuizView *self,
                             guint       index);
static void finish_attempt  (SyQuizView *self);

/* ---- helpers ---- */

static guint
n_questions (SyQuizView *self)
{
  return self->quiz ? sy_quiz_get_n_questions (self->quiz) : 0;
}

static SyQuestion *
question_at (SyQuizView *self,
             guint       index)
{
  return sy_quiz_get_question (self->quiz, index);
}

static const char *
text_or (SyText     *text,
         const char *fallback)
{
  return text ? sy_text_get (text, NULL) : fallback;
}

static int
percent (double score)
{
  return (int) round (CLAMP (score, 0, 1) * 100);
}

static char *
format_percent (double score)
{
  /* Translators: a score or pass mark as a percentage, "80%" */
  return g_strdup_printf (_("%d%%"), percent (score));
}

static const char *
page_name (SyQuizView *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
set_label_or_hide (GtkLabel   *label,
                   const char *text)
{
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static guint
n_answered (SyQuizView *self)
{
  guint n = 0;

  for (guint i = 0; self->responses && i < self->responses->len; i++)
    if (g_ptr_array_index (self->responses, i) != NULL)
      n++;
  return n;
}

static int
first_unanswered (SyQuizView *self)
{
  for (guint i = 0; i < self->responses->len; i++)
    if (g_ptr_array_index (self->responses, i) == NULL)
      return (int) i;
  return -1;
}

/* ---- time on the attempt: counted while the view is on screen ---- */

static void
start_counting (SyQuizView *self)
{
  if (self->attempt != NULL && !self->finished && self->counting_since == 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->counting_since = g_get_monotonic_time ();
}

static void
stop_counting (SyQuizView *self)
{
  if (self->counting_since == 0)
    return;
  self->seconds += (g_get_monotonic_time () - self->counting_since) / (double) G_USEC_PER_SEC;
  self->counting_since = 0;
}

/* ---- start page ---- */

static guint
attempts_used (SyQuizView *self)
{
  guint used = self->history ? self->history->len : 0;

  /* the open attempt may be newer than what the log export saw */
  if (self->attempt != NULL)
    used = MAX (used, (guint) MAX (self->attempt->number, 0));
  return used;
}

static gboolean
attempts_exhausted (SyQuizView *self)
{
  return !self->survey && self->item->max_attempts > 0 &&
         attempts_used (self) >= (guint) self->item->max_attempts;
}

static char *
format_timestamp (const char *iso8601)
{
  g_autoptr(GDateTime) when = iso8601 ? g_date_time_new_from_iso8601 (iso8601, NULL) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (when == NULL)
    return NULL;
  local = g_date_time_to_local (when);
  /* Numbers read the same to everyone, whatever the interface language */
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static GtkWidget *
create_history_row (SyQuizView    *self,
                    SyPastAttempt *past)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *when = format_timestamp (past->started);
  g_autofree char *result = NULL;
  g_autofree char *subtitle = NULL;

  if (self->survey && when != NULL)
    /* Translators: an earlier time through a survey, with its date: "Answered 2026-03-02 09:15" */
    title = g_strdup_printf (_("Answered %s"), when);
  else if (self->survey)
    /* Translators: one of the learner's earlier times through a survey */
    title = g_strdup_printf (_("Answers %u"), past->number);
  else
    /* Translators: one of the learner's earlier attempts at a quiz */
    title = g_strdup_printf (_("Attempt %u"), past->number);

  if (!self->survey && !isnan (past->score))
    {
      g_autofree char *score = format_percent (past->score);

      /* Translators: an earlier attempt's score and result: "75% · not passed" */
      result = g_strdup_printf (_("%s · %s"), score, past->passed ? _("passed") : _("not passed"));
    }

  if (self->survey)
    subtitle = NULL;
  else if (when != NULL && result != NULL)
    /* Translators: when an attempt was made, and its result: "2026-03-02 09:15 · 75% · passed" */
    subtitle = g_strdup_printf (_("%s · %s"), when, result);
  else
    subtitle = g_strdup (when ? when : result);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("See the answers given"));
  g_object_set_data_full (G_OBJECT (row), "sy-registration", g_strdup (past->registration), g_free);
  return row;
}

static void
update_start_page (SyQuizView *self)
{
  guint n = n_questions (self);
  guint used = attempts_used (self);
  g_autofree char *questions = g_strdup_printf ("%u", n);
  g_autofree char *message = NULL;
  GtkWidget *child;
  double best = NAN;
  guint n_finished = 0;

  adw_status_page_set_icon_name (self->start_page, sy_format_item_icon (self->item->type));
  adw_status_page_set_title (self->start_page, text_or (self->item->title, self->item->id));
  if (self->survey)
    adw_status_page_set_description (self->start_page,
                                     _("Your answers are not marked right or wrong. Answer as "
                                       "honestly as you can."));
  else if (self->immediate)
    adw_status_page_set_description (self->start_page,
                                     _("After each answer you see whether it is right."));
  else
    adw_status_page_set_description (self->start_page,
                                     _("You see which answers are right at the end."));

  gtk_label_set_label (self->questions_label, questions);

  gtk_widget_set_visible (self->pass_row, !self->survey);
  if (!self->survey)
    {
      g_autofree char *pass = format_percent (self->item->pass_score);
      gtk_label_set_label (self->pass_label, pass);
    }

  gtk_widget_set_visible (self->attempts_row, !self->survey && (self->history || self->attempt));
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->facts_group),
                               GTK_ACCESSIBLE_STATE_BUSY, !self->history_loaded,
                               -1);
  if (!self->survey)
    {
      g_autofree char *attempts = NULL;

      if (self->item->max_attempts > 0)
        /* Translators: attempts at a quiz used so far, of those allowed: "1 of 3 used" */
        attempts = g_strdup_printf (_("%u of %d used"), used, self->item->max_attempts);
      else
        /* Translators: attempts at a quiz that allows any number: "2 used, no limit" */
        attempts = g_strdup_printf (_("%u used, no limit"), used);
      gtk_label_set_label (self->attempts_label, attempts);
    }

  /* earlier attempts, newest first; the open one is what Continue resumes */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
    gtk_list_box_remove (self->history_list, child);
  for (guint i = self->history ? self->history->len : 0; i > 0; i--)
    {
      SyPastAttempt *past = g_ptr_array_index (self->history, i - 1);

      if (!past->finished)
        continue;
      n_finished++;
      if (!isnan (past->score) && (isnan (best) || past->score > best))
        best = past->score;
      gtk_list_box_append (self->history_list, create_history_row (self, past));
    }
  gtk_widget_set_visible (self->history_group, n_finished > 0);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->history_group),
                                   self->survey ? _("Earlier Answers") : _("Earlier Attempts"));

  gtk_widget_set_visible (self->best_row, !self->survey && self->history_loaded && self->history);
  if (!isnan (best))
    {
      g_autofree char *text = format_percent (best);
      gtk_label_set_label (self->best_label, text);
    }
  else
    gtk_label_set_label (self->best_label, _("None yet"));

  if (self->attempt != NULL)
    {
      guint answered = 0;

      for (guint i = 0; i < n; i++)
        if (g_hash_table_contains (self->attempt->answers, question_at (self, i)->id))
          answered++;
      gtk_button_set_label (self->start_button, _("Continue"));
      gtk_widget_set_visible (GTK_WIDGET (self->start_button), TRUE);
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "You have answered %u of %u question. Your answers are saved.",
                                              "You have answered %u of %u questions. Your answers are saved.",
                                              n),
                                 answered, n);
    }
  else if (attempts_exhausted (self))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->start_button), FALSE);
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "You have used your %d attempt at this quiz. No attempts are left.",
                                              "You have used all %d attempts at this quiz. No attempts are left.",
                                              self->item->max_attempts),
                                 self->item->max_attempts);
    }
  else
    {
      gtk_button_set_label (self->start_button, used > 0 && !self->survey ? _("Start Again") : _("Start"));
      gtk_widget_set_visible (GTK_WIDGET (self->start_button), TRUE);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !self->busy);
  set_label_or_hide (self->start_message, message);
}

static void
show_start_page (SyQuizView *self)
{
  update_start_page (self);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "start");
  if (gtk_widget_get_visible (GTK_WIDGET (self->start_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->start_button));
}

static void
show_error (SyQuizView *self,
            const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  gtk_spinner_stop (self->spinner);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* The start page shows as soon as the open attempt is known; the history, read from the
 * whole statement log, may take longer on a PC with years of records and fills in its
 * facts when it comes. The store enforces the attempt limit either way. */
static void
maybe_show_start (SyQuizView *self)
{
  const char *page = page_name (self);

  if (!self->open_loaded)
    return;
  if (g_strcmp0 (page, "loading") == 0)
    show_start_page (self);
  else if (g_strcmp0 (page, "start") == 0)
    update_start_page (self);
}

static void
open_attempt_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyQuizView) self = user_data;
  g_autoptr(SyAttempt) attempt = NULL;
  g_autoptr(GError) error = NULL;

  attempt = sy_store_get_open_attempt_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL && !g_error_matches (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND))
    {
      show_error (self, error->message);
      return;
    }

  self->attempt = g_steal_pointer (&attempt);
  self->open_loaded = TRUE;
  maybe_show_start (self);
}

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SyQuizView) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *history;

  history = sy_question_history_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* without a history the quiz still works; only the facts about earlier attempts go */
  if (error != NULL)
    g_warning ("Could not read earlier attempts at %s: %s", self->item->id, error->message);

  g_clear_pointer (&self->history, g_ptr_array_unref);
  self->history = history;
  self->history_loaded = TRUE;
  maybe_show_start (self);
}

/* ---- the question page ---- */

static void
update_actions (SyQuizView *self)
{
  gboolean answered = self->responses && g_ptr_array_index (self->responses, self->index) != NULL;
  gboolean on_question = g_strcmp0 (page_name (self), "question") == 0;
  const char *label;
  gboolean sensitive;

  if (self->result_failed)
    {
      label = _("Try Again");
      sensitive = !self->busy;
    }
  else if (!answered)
    {
      label = _("Submit");
      sensitive = !self->busy && self->input && sy_question_input_get_has_response (self->input);
    }
  else
    {
      if (self->index + 1 < n_questions (self))
        label = _("Next");
      else
        label = self->survey ? _("Finish") : _("See Result");
      sensitive = !self->busy;
    }

  gtk_button_set_label (self->primary_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->primary_button), sensitive && on_question);
  gtk_widget_set_visible (GTK_WIDGET (self->previous_button), self->index > 0 && !self->result_failed);
  gtk_widget_set_sensitive (GTK_WIDGET (self->previous_button), !self->busy);
  /* say so: a learner who saw the power fail before wants to know it is kept */
  if (self->busy)
    gtk_label_set_label (self->busy_label, _("Saving…"));
  else if (answered && !self->result_failed)
    gtk_label_set_label (self->busy_label, _("Your answer is saved."));
  else
    gtk_label_set_label (self->busy_label, "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quiz.submit", sensitive && on_question);
}

static void
set_busy (SyQuizView *self,
          gboolean    busy)
{
  self->busy = busy;
  update_actions (self);
}

static void
hide_error (SyQuizView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (self->input != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->input), "has-error");
}

static void
show_inline_error (SyQuizView *self,
                   const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  if (self->input != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->input), "has-error");
  /* screen readers announce the change of a live label only if told */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                  -1);
}

static void
show_feedback (SyQuizView *self)
{
  SyQuestion *q = question_at (self, self->index);
  gboolean right = g_array_index (self->correct, gboolean, self->index);
  g_autofree char *correct = sy_question_correct_response (q);
  g_autofree char *described = correct ? sy_question_describe_response (q, correct) : NULL;

  gtk_image_set_from_icon_name (self->feedback_icon,
                                right ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_label_set_label (self->feedback_title, right ? _("Right") : _("Not right"));
  gtk_widget_remove_css_class (self->feedback_box, right ? "wrong" : "right");
  gtk_widget_add_css_class (self->feedback_box, right ? "right" : "wrong");

  /* The right answer in words matters most where the controls cannot show it */
  gtk_widget_set_visible (self->correct_caption, !right && described != NULL);
  set_label_or_hide (self->correct_label, right ? NULL : described);
  set_label_or_hide (self->feedback_label, text_or (q->feedback, NULL));

  sy_question_input_show_correct (self->input);
  gtk_revealer_set_reveal_child (self->feedback_revealer, TRUE);
}

static void
input_changed_cb (SyQuizView *self)
{
  hide_error (self);
  update_actions (self);
}

static void
input_activated_cb (SyQuizView *self)
{
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->primary_button)))
    gtk_widget_activate (GTK_WIDGET (self->primary_button));
}

static void
scroll_to_top (GtkScrolledWindow *scroller)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

static void
show_question (SyQuizView *self,
               guint       index)
{
  SyQuestion *q = question_at (self, index);
  const char *response = g_ptr_array_index (self->responses, index);
  g_autofree char *progress = NULL;
  GtkWidget *input;

  self->index = index;
  /* Translators: where the learner is in a quiz: "Question 3 of 7" */
  progress = g_strdup_printf (_("Question %u of %u"), index + 1, n_questions (self));
  gtk_label_set_label (self->progress_label, progress);
  gtk_progress_bar_set_fraction (self->progress_bar, n_answered (self) / (double) n_questions (self));
  gtk_label_set_label (self->prompt_label, text_or (q->prompt, q->id));

  input = sy_question_input_new (self->quiz, index, (guint32) self->attempt->seed);
  self->input = SY_QUESTION_INPUT (input);
  g_signal_connect_object (input, "changed", G_CALLBACK (input_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (input, "activated", G_CALLBACK (input_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (input),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->prompt_label, NULL,
                                  -1);
  adw_bin_set_child (self->input_bin, input);

  hide_error (self);
  gtk_revealer_set_transition_type (self->feedback_revealer, GTK_REVEALER_TRANSITION_TYPE_NONE);
  gtk_revealer_set_reveal_child (self->feedback_revealer, FALSE);
  if (response != NULL)
    {
      sy_question_input_set_response (self->input, response);
      sy_question_input_set_locked (self->input, TRUE);
      if (self->immediate)
        show_feedback (self);
    }
  gtk_revealer_set_transition_type (self->feedback_revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);

  gtk_stack_set_visible_child_name (self->stack, "question");
  update_actions (self);
  scroll_to_top (self->question_scroller);

  if (response == NULL)
    sy_question_input_focus (self->input);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->primary_button));
}

static void
go_next (SyQuizView *self)
{
  int unanswered;

  if (self->index + 1 < n_questions (self))
    {
      show_question (self, self->index + 1);
      return;
    }
  unanswered = first_unanswered (self);
  if (unanswered >= 0)
    show_question (self, unanswered);
  else
    finish_attempt (self);
}

typedef struct
{
  SyQuizView *self;
  guint       index;
  char       *response;
  gboolean    correct;
} AnswerData;

static void
answer_data_free (AnswerData *data)
{
  g_clear_object (&data->self);
  g_free (data->response);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnswerData, answer_data_free)

static void
answer_recorded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AnswerData) data = user_data;
  SyQuizView *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = sy_store_record_finish (SY_STORE (object), result, &error);
  self->busy = FALSE;

  if (id == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why, e.g. the disk is full */
      message = g_strdup_printf (_("Your answer could not be saved: %s"), error->message);
      show_inline_error (self, message);
      update_actions (self);
      return;
    }

  g_free (g_ptr_array_index (self->responses, data->index));
  g_ptr_array_index (self->responses, data->index) = g_strdup (data->response);
  g_array_index (self->correct, gboolean, data->index) = data->correct;
  g_hash_table_replace (self->attempt->answers,
                        g_strdup (question_at (self, data->index)->id),
                        g_strdup (data->response));

  /* the learner may have gone back and forth meanwhile: only touch what is on screen */
  if (self->index != data->index || g_strcmp0 (page_name (self), "question") != 0)
    {
      update_actions (self);
      return;
    }

  sy_question_input_set_locked (self->input, TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, n_answered (self) / (double) n_questions (self));
  if (self->immediate)
    {
      show_feedback (self);
      update_actions (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->primary_button));
    }
  else
    {
      update_actions (self);
      go_next (self);
    }
}

/* Says what is wrong with a typed number in words a learner can act on. */
static char *
number_error (SyQuestion *q,
              const char *response)
{
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;
  char *end = NULL;
  double value;

  value = g_ascii_strtod (response, &end);
  if (end == response || *end != '\0' || !isfinite (value) || q->type == SY_QUESTION_NUMERIC)
    return g_strdup (_("Type a number, such as 2 or 1.5."));

  min = g_strdup_printf ("%g", q->min);
  max = g_strdup_printf ("%g", q->max);
  if (q->min > -G_MAXDOUBLE && q->max < G_MAXDOUBLE)
    return g_strdup_printf (_("Type a number from %s to %s."), min, max);
  if (q->min > -G_MAXDOUBLE)
    return g_strdup_printf (_("Type a number of at least %s."), min);
  if (q->max < G_MAXDOUBLE)
    return g_strdup_printf (_("Type a number no larger than %s."), max);
  return g_strdup (_("Type a number, such as 2 or 1.5."));
}

static void
submit (SyQuizView *self)
{
  SyQuestion *q = question_at (self, self->index);
  g_autofree char *response = NULL;
  g_autoptr(GError) error = NULL;
  AnswerData *data;
  gboolean correct = FALSE;
  SyEvent event;

  if (self->busy || self->input == NULL ||
      (response = sy_question_input_get_response (self->input)) == NULL)
    return;

  if (!sy_question_grade (q, response, &correct, &error))
    {
      g_autofree char *message = NULL;

      if (q->type == SY_QUESTION_NUMERIC || q->type == SY_QUESTION_NUMBER)
        message = number_error (q, response);
      else
        message = g_strdup (_("This answer cannot be saved. Check it and try again."));
      g_debug ("Malformed response to %s: %s", q->id, error->message);
      show_inline_error (self, message);
      return;
    }

  sy_event_init (&event);
  event.verb = SY_VERB_ANSWERED;
  event.learner_uuid = sy_learner_get_uuid (self->learner);
  event.course_id = sy_course_get_id (self->course);
  event.item_id = self->item->id;
  event.item_type = self->item->type;
  event.question_id = q->id;
  event.registration = self->attempt->registration;
  event.response = response;
  /* survey answers are recorded, not judged: they have no success */
  event.success = self->survey ? -1 : correct;

  data = g_new0 (AnswerData, 1);
  data->self = g_object_ref (self);
  data->index = self->index;
  data->response = g_strdup (response);
  data->correct = correct;

  hide_error (self);
  set_busy (self, TRUE);
  sy_store_record_async (self->store, &event, NULL, answer_recorded_cb, data);
}

/* ---- result ---- */

static GtkWidget *
create_summary_row (SyQuizView *self,
                    guint       index)
{
  SyQuestion *q = question_at (self, index);
  gboolean right = g_array_index (self->correct, gboolean, index);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (right ? "emblem-ok-symbolic" : "window-close-symbolic");
  g_autofree char *title = g_strdup_printf (_("Question %u"), index + 1);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text_or (q->prompt, q->id));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), title);
  gtk_widget_add_css_class (icon, right ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, right ? _("Right") : _("Not right"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), "sy-correct", GINT_TO_POINTER (right));
  return row;
}

static void
show_result (SyQuizView *self)
{
  g_autofree char *score = format_percent (self->score);
  g_autofree char *detail = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_list))) != NULL)
    gtk_list_box_remove (self->summary_list, child);

  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->score_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->score_label), "warning");

  if (self->survey)
    {
      gtk_image_set_from_icon_name (self->result_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), "success");
      gtk_widget_set_visible (GTK_WIDGET (self->score_label), FALSE);
      gtk_label_set_label (self->verdict_label, _("Thank you"));
      gtk_label_set_label (self->result_detail, _("Your answers are saved."));
      gtk_button_set_label (self->review_button, _("See Your Answers"));
      gtk_widget_set_visible (self->summary_group, FALSE);
    }
  else
    {
      g_autofree char *right = NULL;
      g_autofree char *pass = format_percent (self->item->pass_score);
      g_autofree char *next = NULL;
      const char *style = self->passed ? "success" : "warning";

      gtk_image_set_from_icon_name (self->result_icon,
                                    self->passed ? "emblem-ok-symbolic" : "view-refresh-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), style);
      gtk_widget_add_css_class (GTK_WIDGET (self->score_label), style);
      gtk_widget_set_visible (GTK_WIDGET (self->score_label), TRUE);
      gtk_label_set_label (self->score_label, score);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->score_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, score,
                                      -1);

      right = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "You got %u of %u question right.",
                                            "You got %u of %u questions right.",
                                            self->n_graded),
                               self->n_right, self->n_graded);

      if (self->passed)
        {
          gtk_label_set_label (self->verdict_label, _("You passed"));
          next = g_strdup_printf (_("The pass mark is %s."), pass);
        }
      else if (self->item->max_attempts > 0 && self->attempt->number >= self->item->max_attempts)
        {
          gtk_label_set_label (self->verdict_label, _("Not passed"));
          next = g_strdup_printf (_("The pass mark is %s. You have no attempts left. Ask your "
                                    "trainer what to do next."), pass);
        }
      else
        {
          gtk_label_set_label (self->verdict_label, _("Not passed yet — you can try again"));
          if (self->item->max_attempts > 0)
            {
              int left = self->item->max_attempts - self->attempt->number;

              next = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "The pass mark is %s. You have %d more attempt.",
                                                   "The pass mark is %s. You have %d more attempts.",
                                                   left),
                                      pass, left);
            }
          else
            next = g_strdup_printf (_("The pass mark is %s. Read the lessons again, then try "
                                      "as often as you like."), pass);
        }
      detail = g_strconcat (right, " ", next, NULL);
      gtk_label_set_label (self->result_detail, detail);
      gtk_button_set_label (self->review_button, _("Review Answers"));

      for (guint i = 0; i < n_questions (self); i++)
        gtk_list_box_append (self->summary_list, create_summary_row (self, i));
      gtk_widget_set_visible (self->summary_group, TRUE);
    }

  gtk_stack_set_visible_child_name (self->stack, "result");
  gtk_widget_grab_focus (GTK_WIDGET (self->done_button));
}

static void
result_recorded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SyQuizView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = sy_store_record_finish (SY_STORE (object), result, &error);
  self->busy = FALSE;
  if (id == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why, e.g. the disk is full */
      message = g_strdup_printf (_("Your result could not be saved: %s"), error->message);
      self->result_failed = TRUE;
      if (g_strcmp0 (page_name (self), "question") != 0)
        show_question (self, n_questions (self) - 1);
      show_inline_error (self, message);
      update_actions (self);
      return;
    }

  self->finished = TRUE;
  self->result_failed = FALSE;
  show_result (self);
}

static void
finish_attempt (SyQuizView *self)
{
  SyEvent event;
  guint n = n_questions (self);

  if (self->busy || self->finished)
    return;

  stop_counting (self);
  self->n_right = 0;
  self->n_graded = n;
  for (guint i = 0; i < n; i++)
    if (g_array_index (self->correct, gboolean, i))
      self->n_right++;
  self->score = self->n_graded > 0 ? self->n_right / (double) self->n_graded : 0;
  self->passed = self->score + SCORE_EPSILON >= self->item->pass_score;

  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (self->learner);
  event.course_id = sy_course_get_id (self->course);
  event.item_id = self->item->id;
  event.item_type = self->item->type;
  event.object_name = self->item->title;
  event.registration = self->attempt->registration;
  event.seconds = self->seconds;
  if (self->survey)
    {
      event.verb = SY_VERB_COMPLETED;
      event.completion = TRUE;
    }
  else
    {
      event.verb = self->passed ? SY_VERB_PASSED : SY_VERB_FAILED;
      event.score = self->score;
      event.raw = self->n_right;
      event.max = self->n_graded;
      event.success = self->passed;
      event.completion = TRUE;
    }

  set_busy (self, TRUE);
  sy_store_record_async (self->store, &event, NULL, result_recorded_cb, g_object_ref (self));
}

/* ---- beginning an attempt ---- */

static void
begin_attempt (SyQuizView *self)
{
  guint n = n_questions (self);
  int first;

  g_clear_pointer (&self->responses, g_ptr_array_unref);
  g_clear_pointer (&self->correct, g_array_unref);
  self->responses = g_ptr_array_new_full (n, g_free);
  self->correct = g_array_sized_new (FALSE, TRUE, sizeof (gboolean), n);
  g_array_set_size (self->correct, n);
  g_ptr_array_set_size (self->responses, n);

  /* answers recorded before a restart count as given; one the grader no longer takes
   * (the course was updated since) is asked again */
  for (guint i = 0; i < n; i++)
    {
      SyQuestion *q = question_at (self, i);
      const char *response = g_hash_table_lookup (self->attempt->answers, q->id);
      gboolean correct = FALSE;

      if (response != NULL && sy_question_grade (q, response, &correct, NULL))
        {
          g_ptr_array_index (self->responses, i) = g_strdup (response);
          g_array_index (self->correct, gboolean, i) = correct;
        }
    }

  self->seconds = 0;
  self->finished = FALSE;
  self->result_failed = FALSE;
  start_counting (self);

  first = first_unanswered (self);
  if (first < 0)
    {
      /* everything was answered before the PC stopped: only the result is missing */
      self->index = n - 1;
      finish_attempt (self);
      return;
    }
  show_question (self, first);
}

static void
attempt_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SyQuizView) self = user_data;
  g_autoptr(GError) error = NULL;
  SyAttempt *attempt;

  attempt = sy_store_start_attempt_finish (SY_STORE (object), result, &error);
  self->busy = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (attempt == NULL)
    {
      update_start_page (self);
      if (g_error_matches (error, SY_STORE_ERROR, SY_STORE_ERROR_NO_ATTEMPTS_LEFT))
        gtk_widget_set_visible (GTK_WIDGET (self->start_button), FALSE);
      set_label_or_hide (self->start_message, error->message);
      return;
    }

  self->attempt = attempt;
  begin_attempt (self);
}

static void
start_clicked_cb (SyQuizView *self)
{
  if (self->busy)
    return;

  if (self->attempt != NULL)
    {
      begin_attempt (self);
      return;
    }

  self->busy = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), FALSE);
  sy_store_start_attempt_async (self->store, sy_learner_get_uuid (self->learner),
                                sy_course_get_id (self->course), self->item->id,
                                self->cancellable, attempt_started_cb, g_object_ref (self));
}

/* ---- review ---- */

static GtkWidget *
create_caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkWidget *
create_text (const char *text,
             const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
create_review_card (SyQuizView *self,
                    guint       index,
                    const char *response)
{
  SyQuestion *q = question_at (self, index);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  g_autofree char *number = g_strdup_printf (_("Question %u"), index + 1);
  g_autofree char *given = sy_question_describe_response (q, response);
  gboolean right = FALSE;

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "quiz-review-card");
  g_object_set_data_full (G_OBJECT (card), "sy-question-id", g_strdup (q->id), g_free);

  gtk_box_append (GTK_BOX (heading), create_caption (number));
  if (!self->survey)
    {
      GtkWidget *icon;
      GtkWidget *verdict;

      if (response != NULL)
        sy_question_grade (q, response, &right, NULL);
      icon = gtk_image_new_from_icon_name (right ? "emblem-ok-symbolic" : "window-close-symbolic");
      verdict = gtk_label_new (right ? _("Right") : _("Not right"));
      gtk_widget_add_css_class (icon, right ? "success" : "error");
      gtk_widget_add_css_class (verdict, right ? "success" : "error");
      gtk_widget_add_css_class (verdict, "caption-heading");
      gtk_widget_set_hexpand (verdict, TRUE);
      gtk_label_set_xalign (GTK_LABEL (verdict), 1);
      gtk_box_append (GTK_BOX (heading), verdict);
      gtk_box_append (GTK_BOX (heading), icon);
      g_object_set_data (G_OBJECT (card), "sy-correct", GINT_TO_POINTER (right));
    }
  gtk_box_append (GTK_BOX (card), heading);
  gtk_box_append (GTK_BOX (card), create_text (text_or (q->prompt, q->id), "heading"));

  gtk_box_append (GTK_BOX (card), create_caption (_("Your answer")));
  gtk_box_append (GTK_BOX (card), create_text (given, "quiz-answer"));

  if (!self->survey)
    {
      g_autofree char *correct = sy_question_correct_response (q);
      g_autofree char *described = correct ? sy_question_describe_response (q, correct) : NULL;

      if (!right && described != NULL)
        {
          gtk_box_append (GTK_BOX (card), create_caption (_("The right answer")));
          gtk_box_append (GTK_BOX (card), create_text (described, "quiz-answer"));
        }
      if (q->feedback != NULL)
        gtk_box_append (GTK_BOX (card), create_text (sy_text_get (q->feedback, NULL), "dim-label"));
    }
  return card;
}

static void
show_review (SyQuizView *self,
             GHashTable *answers,
             const char *title,
             const char *subtitle,
             const char *return_to)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_box))) != NULL)
    gtk_box_remove (self->review_box, child);
  for (guint i = 0; i < n_questions (self); i++)
    gtk_box_append (self->review_box,
                    create_review_card (self, i, g_hash_table_lookup (answers, question_at (self, i)->id)));

  gtk_label_set_label (self->review_title, title);
  set_label_or_hide (self->review_subtitle, subtitle);
  self->review_return = return_to;
  gtk_stack_set_visible_child_name (self->stack, "review");
  scroll_to_top (self->review_scroller);
  gtk_widget_child_focus (GTK_WIDGET (self->review_box), GTK_DIR_TAB_FORWARD);
}

static void
review_clicked_cb (SyQuizView *self)
{
  g_autofree char *score = format_percent (self->score);

  show_review (self, self->attempt->answers,
               self->survey ? _("Your Answers") : _("Your Answers and the Right Ones"),
               self->survey ? NULL : score, "result");
}

static void
history_row_activated_cb (SyQuizView    *self,
                          GtkListBoxRow *row)
{
  const char *registration = g_object_get_data (G_OBJECT (row), "sy-registration");

  for (guint i = 0; self->history && i < self->history->len; i++)
    {
      SyPastAttempt *past = g_ptr_array_index (self->history, i);
      g_autofree char *title = NULL;
      g_autofree char *score = NULL;

      if (g_strcmp0 (past->registration, registration) != 0)
        continue;
      title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
      if (!isnan (past->score))
        score = format_percent (past->score);
      show_review (self, past->answers, title, score, "start");
      return;
    }
}

/* ---- actions ---- */

static void
previous_clicked_cb (SyQuizView *self)
{
  if (self->index > 0 && !self->busy)
    show_question (self, self->index - 1);
}

static void
primary_clicked_cb (SyQuizView *self)
{
  if (self->busy)
    return;
  if (self->result_failed)
    finish_attempt (self);
  else if (g_ptr_array_index (self->responses, self->index) != NULL)
    go_next (self);
  else
    submit (self);
}

static void
done_clicked_cb (SyQuizView *self)
{
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
close_review_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SyQuizView *self = SY_QUIZ_VIEW (widget);

  if (g_strcmp0 (page_name (self), "review") != 0)
    return;
  gtk_stack_set_visible_child_name (self->stack, self->review_return);
  if (g_strcmp0 (self->review_return, "result") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->review_button));
  else
    gtk_widget_child_focus (GTK_WIDGET (self->history_list), GTK_DIR_TAB_FORWARD);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SyQuizView *self = SY_QUIZ_VIEW (widget);

  if (g_strcmp0 (page_name (self), "question") == 0 && self->input != NULL && !self->busy)
    sy_question_input_choose (self->input, g_variant_get_int32 (parameter));
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SyQuizView *self = SY_QUIZ_VIEW (widget);

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->primary_button)))
    primary_clicked_cb (self);
}

/* Enter on a chosen option submits, as the HIG's "default button" would: options are
 * check and toggle buttons, which would otherwise take Enter to toggle themselves. Entries
 * submit through their own "activate"; a multi-line text takes Ctrl+Enter. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SyQuizView            *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  if (g_strcmp0 (page_name (self), "question") != 0 || self->input == NULL)
    return FALSE;
  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->input)))
    return FALSE;
  if (gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL)
    return FALSE;
  if (!ctrl && (GTK_IS_TEXT (focus) || GTK_IS_TEXT_VIEW (focus) ||
                !gtk_widget_has_css_class (focus, "quiz-option")))
    return FALSE;

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->primary_button)))
    primary_clicked_cb (self);
  return TRUE;
}

/* ---- the widget ---- */

static void
load_quiz (SyQuizView *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *file = self->item->file ? sy_text_get (self->item->file, NULL) : NULL;

  if (file == NULL)
    {
      show_error (self, _("The course names no file for this item. Ask for a corrected copy of the course."));
      return;
    }

  /* A quiz file is a few kilobytes on the local disk: read it at once, as the course page
   * reads its modules' data. */
  path = g_build_filename (sy_course_get_content_dir (self->course), file, NULL);
  self->quiz = sy_quiz_load (path, self->survey, &error);
  if (self->quiz == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is what is wrong with the file, for whoever fixes the course */
      message = g_strdup_printf (_("The questions could not be read: %s"), error->message);
      show_error (self, message);
      return;
    }

  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  sy_store_get_open_attempt_async (self->store, sy_learner_get_uuid (self->learner),
                                   sy_course_get_id (self->course), self->item->id,
                                   self->cancellable, open_attempt_cb, g_object_ref (self));
  sy_question_history_load_async (self->store, sy_learner_get_uuid (self->learner),
                                  sy_course_get_id (self->course), self->item->id,
                                  self->cancellable, history_cb, g_object_ref (self));
}

static void
sy_quiz_view_constructed (GObject *object)
{
  SyQuizView *self = (SyQuizView *) object;

  G_OBJECT_CLASS (sy_quiz_view_parent_class)->constructed (object);

  g_assert (self->store != NULL && self->learner != NULL && self->course != NULL &&
            self->item != NULL);

  self->survey = self->item->type == SY_ITEM_SURVEY;
  self->immediate = !self->survey && !self->item->feedback_at_end;
  load_quiz (self);
}

static void
sy_quiz_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sy_quiz_view_parent_class)->map (widget);
  start_counting (SY_QUIZ_VIEW (widget));
}

static void
sy_quiz_view_unmap (GtkWidget *widget)
{
  stop_counting (SY_QUIZ_VIEW (widget));
  GTK_WIDGET_CLASS (sy_quiz_view_parent_class)->unmap (widget);
}

static void
sy_quiz_view_dispose (GObject *object)
{
  SyQuizView *self = (SyQuizView *) object;

  g_cancellable_cancel (self->cancellable);
  self->input = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_QUIZ_VIEW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->learner);
  g_clear_object (&self->course);
  self->item = NULL;

  G_OBJECT_CLASS (sy_quiz_view_parent_class)->dispose (object);
}

static void
sy_quiz_view_finalize (GObject *object)
{
  SyQuizView *self = (SyQuizView *) object;

  g_clear_pointer (&self->quiz, sy_quiz_unref);
  g_clear_pointer (&self->attempt, sy_attempt_free);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->responses, g_ptr_array_unref);
  g_clear_pointer (&self->correct, g_array_unref);

  G_OBJECT_CLASS (sy_quiz_view_parent_class)->finalize (object);
}

static void
sy_quiz_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SyQuizView *self = SY_QUIZ_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_LEARNER:
      g_value_set_object (value, self->learner);
      break;

    case PROP_COURSE:
      g_value_set_object (value, self->course);
      break;

    case PROP_ITEM:
      g_value_set_pointer (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_quiz_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SyQuizView *self = SY_QUIZ_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_LEARNER:
      self->learner = g_value_dup_object (value);
      break;

    case PROP_COURSE:
      self->course = g_value_dup_object (value);
      break;

    case PROP_ITEM:
      self->item = g_value_get_pointer (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_number_keys (GtkWidgetClass *widget_class)
{
  for (int n = 1; n <= 9; n++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + n, 0, "quiz.choose", "i", n);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0 + n, 0, "quiz.choose", "i", n);
    }
}

static void
sy_quiz_view_class_init (SyQuizViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sy_quiz_view_constructed;
  object_class->dispose = sy_quiz_view_dispose;
  object_class->finalize = sy_quiz_view_finalize;
  object_class->get_property = sy_quiz_view_get_property;
  object_class->set_property = sy_quiz_view_set_property;
  widget_class->map = sy_quiz_view_map;
  widget_class->unmap = sy_quiz_view_unmap;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SY_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LEARNER] =
    g_param_spec_object ("learner", NULL, NULL,
                         SY_TYPE_LEARNER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COURSE] =
    g_param_spec_object ("course", NULL, NULL,
                         SY_TYPE_COURSE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /**
   * SyQuizView:item:
   *
   * The quiz or survey, one of #SyQuizView:course's items (a plain struct it owns).
   */
  properties[PROP_ITEM] =
    g_param_spec_pointer ("item", NULL, NULL,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SyQuizView::finished:
   *
   * The learner is done with the attempt's result ("Back to Course"); the course page
   * should refresh the item's status.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-quiz-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, main_box);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, stack);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, spinner);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, start_page);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, start_button);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, start_message);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, facts_group);
  gtk_widget_class_bind_template_child_full (widget_class, "pass_row", FALSE,
                                             G_STRUCT_OFFSET (SyQuizView, pass_row));
  gtk_widget_class_bind_template_child_full (widget_class, "attempts_row", FALSE,
                                             G_STRUCT_OFFSET (SyQuizView, attempts_row));
  gtk_widget_class_bind_template_child_full (widget_class, "best_row", FALSE,
                                             G_STRUCT_OFFSET (SyQuizView, best_row));
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, questions_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, pass_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, best_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, history_group);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, history_list);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, question_scroller);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, input_bin);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, error_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, feedback_revealer);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, feedback_box);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, feedback_icon);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, feedback_title);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, correct_caption);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, correct_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, feedback_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, previous_button);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, busy_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, primary_button);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, result_icon);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, score_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, result_detail);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, review_button);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, done_button);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, summary_group);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, summary_list);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, review_scroller);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, review_title);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, review_subtitle);
  gtk_widget_class_bind_template_child (widget_class, SyQuizView, review_box);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, primary_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);

  gtk_widget_class_install_action (widget_class, "quiz.close-review", NULL, close_review_action);
  gtk_widget_class_install_action (widget_class, "quiz.choose", "i", choose_action);
  gtk_widget_class_install_action (widget_class, "quiz.submit", NULL, submit_action);
  add_number_keys (widget_class);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "quiz.submit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "quiz.submit", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "quizview");
}

static void
sy_quiz_view_init (SyQuizView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* capture: options would take Enter before a bubbling handler saw it */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quiz.submit", FALSE);
}

/**
 * sy_quiz_view_new:
 * @store: the open store
 * @learner: who takes the quiz
 * @course: the course, with its items
 * @item: the quiz or survey, one of @course's items
 *
 * Returns: (transfer floating): the view
 */
GtkWidget *
sy_quiz_view_new (SyStore   *store,
                  SyLearner *learner,
                  SyCourse  *course,
                  SyItem    *item)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (SY_IS_LEARNER (learner), NULL);
  g_return_val_if_fail (SY_IS_COURSE (course), NULL);
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (item->type == SY_ITEM_QUIZ || item->type == SY_ITEM_SURVEY, NULL);

  return g_object_new (SY_TYPE_QUIZ_VIEW,
                       "store", store,
                       "learner", learner,
                       "course", course,
                       "item", item,
                       NULL);
}
