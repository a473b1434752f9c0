/* test-learning.c — the shared-PC learning flow, driven in-process under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by run-under-xvfb.sh inside dbus-run-session, like test-ui.c, whose helpers these
 * follow: each test makes its own data folder and fills it through the core API before
 * the window exists, then drives the window as a user would (tiles, rows and buttons are
 * activated, text is typed into entries) and checks what the store recorded. Time is not
 * waited for: the lesson view's manual clock and the window's _sy_window_pretend_idle()
 * stand in for it.
 *
 * The crash test runs the real `shuyuan` binary (SHUYUAN_APP) with its test hook
 * SHUYUAN_TEST_SCRIPT (src/app/sy-test-script.c) and kills it with SIGKILL.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "sy-application.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-lesson-view-private.h"
#include "sy-lesson-view.h"
#include "sy-question-input.h"
#include "sy-quiz-view.h"
#include "sy-quiz.h"
#include "sy-statement.h"
#include "sy-store-private.h"
#include "sy-store.h"
#include "sy-util.h"
#include "sy-window-private.h"
#include "ui-test-util.h"

#define HYGIENE_ID "vd-hand-hygiene-cold-chain"
#define RETAIL_ID "retail-bookkeeping-pricing"

static SyApplication *app;

static const char * const sample_dirs[] = {
  "coding-for-kids",
  "retail-bookkeeping",
  "village-doctor-hygiene",
  NULL
};

/* ---- waiting ---- */

/* The status a course page row shows: its icon's tooltip ("Passed", "Completed") */
static gboolean
row_shows_status (AdwActionRow *row,
                  const char   *status)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (row), GTK_TYPE_IMAGE, images);
  for (guint i = 0; i < images->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (images->pdata[i]), status) == 0)
      return TRUE;
  return FALSE;
}

/* The one button of @root that shows @label, and is on screen */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  GtkWidget *found = NULL;

  ui_test_collect (root, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_get_mapped (buttons->pdata[i]) &&
        g_strcmp0 (gtk_button_get_label (buttons->pdata[i]), label) == 0)
      {
        g_assert_null (found);
        found = buttons->pdata[i];
      }
  return found;
}

/* gtk_widget_activate() on a button emits "clicked" from the main loop */
static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
}

/* ---- data ---- */

typedef struct
{
  char      *data_dir;
  SyStore   *store;       /* the test's own connection, beside the window's */
  SyWindow  *window;
} Fixture;

static SyLearner *
add_learner (SyStore    *store,
             const char *name,
             SyRole      role,
             const char *pin)
{
  g_autoptr(GError) error = NULL;
  SyLearner *learner = sy_store_add_learner_full (store, name, role, pin, NULL, NULL, &error);

  g_assert_no_error (error);
  return learner;
}

static void
fixture_init (Fixture *f,
              gboolean samples)
{
  memset (f, 0, sizeof *f);
  f->data_dir = ui_test_make_data_dir ("shuyuan-learning-XXXXXX");
  f->store = ui_test_open_store (f->data_dir);
  if (samples)
    ui_test_import_samples (f->store, sample_dirs);
}

static void
fixture_open_window (Fixture *f)
{
  f->window = sy_application_open_data_dir (app, f->data_dir);
  g_assert_true (SY_IS_WINDOW (f->window));
  ui_test_wait_settled (f->window);
  ui_test_wait_frames (GTK_WIDGET (f->window));
  g_assert_cmpstr (_sy_window_get_view (f->window), ==, "learners");
}

static gboolean
window_gone (gpointer data)
{
  return *(SyWindow **) data == NULL;
}

static void
fixture_clear (Fixture *f)
{
  if (f->window != NULL)
    {
      ui_test_wait_settled (f->window);
      /* Nothing may keep the window (a callback never called, a signal left connected):
       * once destroyed and its store work unwound, it is finalized. */
      g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
      gtk_window_destroy (GTK_WINDOW (f->window));
      if (!ui_test_wait_for (window_gone, &f->window))
        g_error ("the window was not finalized: %u references left",
                 G_OBJECT (f->window)->ref_count);
    }
  /* A synchronous call waits for what was queued before it. */
  g_ptr_array_unref (sy_store_list_learners (f->store, NULL, NULL));
  g_clear_object (&f->store);
  ui_test_remove_data_dir (f->data_dir);
}

/* ---- driving the window ---- */

/* Enter on the learner's tile, as a keyboard user would. */
static void
choose_learner (SyWindow  *window,
                SyLearner *learner)
{
  GtkWidget *tile = _sy_learner_chooser_get_tile (_sy_window_get_chooser (window),
                                                  sy_learner_get_uuid (learner));

  g_assert_nonnull (tile);
  gtk_widget_grab_focus (tile);
  g_assert_true (gtk_widget_has_focus (tile));
  g_assert_true (gtk_widget_activate (tile));
}

static void
sign_in (SyWindow  *window,
         SyLearner *learner)
{
  g_assert_false (sy_learner_get_has_pin (learner));
  choose_learner (window, learner);
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, window));
  g_assert_cmpstr (sy_learner_get_uuid (_sy_window_get_learner (window)), ==,
                   sy_learner_get_uuid (learner));
}

static gboolean
course_open (gpointer data)
{
  return ui_test_view_is (data, "course") && ui_test_window_settled (data);
}

static void
open_course (SyWindow   *window,
             const char *course_id)
{
  SyCourseCard *card = NULL;
  GtkWidget *item;

  for (guint i = 0; i < _sy_window_get_n_cards (window) && card == NULL; i++)
    {
      SyCourseCard *c = _sy_window_get_card (window, i);

      if (c != NULL && g_strcmp0 (sy_course_get_id (sy_course_card_get_course (c)), course_id) == 0)
        card = c;
    }
  g_assert_nonnull (card);

  item = gtk_widget_get_parent (GTK_WIDGET (card));
  gtk_widget_grab_focus (item);
  g_assert_true (gtk_widget_activate (item));
  g_assert_true (ui_test_wait_for (course_open, window));
}

static gboolean
course_loaded (gpointer data)
{
  return ui_test_view_is (data, "course") && !_sy_window_is_busy (data);
}

static gboolean
item_open (gpointer data)
{
  return ui_test_view_is (data, "item") && ui_test_window_settled (data);
}

/* Enter on the item's row of the course page */
static GtkWidget *
open_item (SyWindow   *window,
           const char *title)
{
  GtkWidget *page = GTK_WIDGET (_sy_window_get_course_page (window));
  AdwActionRow *row = ui_test_find_row (page, title);

  g_assert_nonnull (row);
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  gtk_widget_grab_focus (GTK_WIDGET (row));
  g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
  g_assert_true (ui_test_wait_for (item_open, window));
  g_assert_nonnull (_sy_window_get_item_view (window));
  return _sy_window_get_item_view (window);
}

static void
go_back_to_course (SyWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for (course_open, window));
  g_assert_null (_sy_window_get_item_view (window));
}

static SyItem *
find_item (SyStore    *store,
           SyLearner  *learner,
           const char *course_id,
           const char *item_id,
           SyCourse  **course_out)
{
  g_autoptr(GError) error = NULL;
  SyCourse *course;
  SyItem *item;

  course = sy_store_get_course (store, course_id, sy_learner_get_uuid (learner), NULL, &error);
  g_assert_no_error (error);
  item = sy_course_find_item (course, item_id);
  g_assert_nonnull (item);
  *course_out = course;
  return item;
}

static SyStatus
stored_status (SyStore    *store,
               SyLearner  *learner,
               const char *course_id,
               const char *item_id)
{
  g_autoptr(SyCourse) course = NULL;

  return find_item (store, learner, course_id, item_id, &course)->status;
}

/* The learner's statements about @item_id with @verb, newest last */
static GPtrArray *
stored_statements (SyStore    *store,
                   const char *learner_uuid,
                   const char *item_id,
                   SyVerb      verb)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_statement_info_free);
  guint n = 0;

  g_assert_true (sy_store_export_statements (store, NULL, out, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      json_object *json;
      SyStatementInfo *info;

      if (lines[i][0] == '\0')
        continue;
      json = json_tokener_parse (lines[i]);
      g_assert_nonnull (json);
      info = sy_statement_info_new (json, &error);
      g_assert_no_error (error);
      json_object_put (json);
      if (g_strcmp0 (info->learner_uuid, learner_uuid) == 0 &&
          g_strcmp0 (info->item_id, item_id) == 0 && info->verb == verb)
        g_ptr_array_add (found, info);
      else
        sy_statement_info_free (info);
    }
  return found;
}

static guint
count_statements (SyStore    *store,
                  SyLearner  *learner,
                  const char *item_id,
                  SyVerb      verb)
{
  g_autoptr(GPtrArray) found = stored_statements (store, sy_learner_get_uuid (learner), item_id, verb);

  return found->len;
}

typedef struct
{
  SyStore    *store;
  SyLearner  *learner;
  const char *course_id;
  double      seconds;
} SecondsWait;

/* The learner's time in the course, from every statement that reports some */
static double
stored_seconds (SecondsWait *w)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  list = sy_store_list_progress (w->store, sy_learner_get_uuid (w->learner), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SyCourseProgress *progress = list->pdata[i];

      if (g_strcmp0 (progress->course_id, w->course_id) == 0)
        return progress->seconds;
    }
  g_assert_not_reached ();
  return -1;
}

static gboolean
seconds_stored (gpointer data)
{
  SecondsWait *w = data;

  return stored_seconds (w) == w->seconds;
}

/* ---- quizzes ---- */

static SyQuiz *
load_quiz (SyCourse *course,
           SyItem   *item)
{
  g_autofree char *path = g_build_filename (sy_course_get_content_dir (course),
                                            sy_text_get (item->file, NULL), NULL);
  g_autoptr(GError) error = NULL;
  SyQuiz *quiz = sy_quiz_load (path, item->type == SY_ITEM_SURVEY, &error);

  g_assert_no_error (error);
  return quiz;
}

static gboolean
is_answer (SyQuestion *q,
           const char *id)
{
  return q->answer_ids != NULL && g_strv_contains ((const char * const *) q->answer_ids, id);
}

/* A response that is well formed and wrong */
static char *
wrong_response (SyQuestion *q)
{
  g_autofree char *right = sy_question_correct_response (q);
  g_auto(GStrv) parts = g_strsplit (right, "[,]", -1);
  guint n = g_strv_length (parts);

  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
      for (guint i = 0; i < q->options->len; i++)
        {
          SyOption *option = g_ptr_array_index (q->options, i);

          if (!is_answer (q, option->id))
            return g_strdup (option->id);
        }
      g_assert_cmpuint (n, >, 1);
      return g_strdup (parts[0]);

    case SY_QUESTION_TRUE_FALSE:
      return g_strdup (q->answer_bool ? "false" : "true");

    case SY_QUESTION_NUMERIC:
      return g_strdup_printf ("%g", q->answer_number + q->tolerance + 1000);

    case SY_QUESTION_SHORT_TEXT:
      return g_strdup ("zzz");

    case SY_QUESTION_ORDERING:
      {
        /* the same items, the first two swapped */
        char *swap = parts[0];

        g_assert_cmpuint (n, >, 1);
        parts[0] = parts[1];
        parts[1] = swap;
        return g_strjoinv ("[,]", parts);
      }

    case SY_QUESTION_MATCHING:
      {
        /* every left side matched to the next one's right side */
        g_autoptr(GString) s = g_string_new (NULL);

        g_assert_cmpuint (q->options->len, >, 1);
        for (guint i = 0; i < q->options->len; i++)
          {
            SyOption *left = g_ptr_array_index (q->options, i);
            SyOption *right_side = g_ptr_array_index (q->options, (i + 1) % q->options->len);

            g_string_append_printf (s, "%s%s[.]%s", i > 0 ? "[,]" : "", left->id, right_side->id);
          }
        return g_string_free (g_steal_pointer (&s), FALSE);
      }

    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static char *
survey_response (SyQuestion *q)
{
  switch (q->type)
    {
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
      return g_strdup (((SyOption *) g_ptr_array_index (q->options, q->options->len / 2))->id);
    case SY_QUESTION_NUMBER:
      return g_strdup_printf ("%g", q->min > -G_MAXDOUBLE ? q->min + 1 : 3);
    case SY_QUESTION_TEXT:
      return g_strdup ("More customers in winter");
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static const char *
quiz_page (GtkWidget *view)
{
  GtkWidget *stack = ui_test_find_named (view, "quiz-stack");

  g_assert_nonnull (stack);
  if (gtk_stack_get_transition_running (GTK_STACK (stack)))
    return NULL;
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static SyQuestionInput *
current_input (GtkWidget *view)
{
  GtkWidget *bin = ui_test_find_named (view, "input-bin");
  GtkWidget *input = bin ? adw_bin_get_child (ADW_BIN (bin)) : NULL;

  return SY_IS_QUESTION_INPUT (input) ? SY_QUESTION_INPUT (input) : NULL;
}

typedef struct
{
  GtkWidget       *view;
  SyQuestionInput *input;     /* the question answered last */
} QuizStep;

static gboolean
start_page_shown (gpointer data)
{
  QuizStep *step = data;

  return g_strcmp0 (quiz_page (step->view), "start") == 0;
}

/* A new question to answer, its answer's feedback, or the result */
static gboolean
quiz_moved_on (gpointer data)
{
  QuizStep *step = data;
  const char *page = quiz_page (step->view);
  SyQuestionInput *input = current_input (step->view);
  GtkWidget *revealer = ui_test_find_named (step->view, "feedback-revealer");

  if (g_strcmp0 (page, "result") == 0)
    return TRUE;
  if (g_strcmp0 (page, "question") != 0 || input == NULL)
    return FALSE;
  if (input != step->input)
    return TRUE;
  return sy_question_input_get_locked (input) &&
         gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

/* After "Next": the next question, or the result */
static gboolean
quiz_moved_on_from_feedback (gpointer data)
{
  QuizStep *step = data;
  const char *page = quiz_page (step->view);

  return g_strcmp0 (page, "result") == 0 ||
         (g_strcmp0 (page, "question") == 0 && current_input (step->view) != step->input);
}

typedef enum
{
  ANSWER_RIGHT,
  ANSWER_WRONG,
  ANSWER_SURVEY,
} AnswerMode;

/**
 * take_quiz:
 * @stop_at: answer only this many questions; G_MAXUINT for all
 * @screenshot: (nullable): a prefix for screenshots of the first question and the result
 *
 * Starts (or continues) the quiz open in the window's item page and answers its questions
 * through the question controls and Enter.
 *
 * Returns: (transfer full): question id → the response given
 */
static GHashTable *
take_quiz (SyWindow   *window,
           SyQuiz     *quiz,
           AnswerMode  mode,
           guint       stop_at,
           const char *screenshot)
{
  GHashTable *given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  QuizStep step = { _sy_window_get_item_view (window), NULL };
  GtkWidget *start;

  g_assert_true (SY_IS_QUIZ_VIEW (step.view));
  g_assert_true (ui_test_wait_for (start_page_shown, &step));
  start = ui_test_find_named (step.view, "start-button");
  g_assert_nonnull (start);
  click (start);

  while (g_hash_table_size (given) < stop_at)
    {
      SyQuestionInput *input;
      SyQuestion *q;
      char *response;

      g_assert_true (ui_test_wait_for (quiz_moved_on, &step));
      if (g_strcmp0 (quiz_page (step.view), "result") == 0)
        break;

      input = current_input (step.view);
      if (input == step.input)
        {
          /* feedback shown: Enter goes on to the next question */
          g_assert_true (gtk_widget_activate_action (step.view, "quiz.submit", NULL));
          g_assert_true (ui_test_wait_for (quiz_moved_on_from_feedback, &step));
          continue;
        }

      q = sy_question_input_get_question (input);
      g_assert_nonnull (q);
      g_assert_true (sy_quiz_find_question (quiz, q->id) != NULL);
      g_assert_false (sy_question_input_get_locked (input));
      switch (mode)
        {
        case ANSWER_RIGHT:
          response = sy_question_correct_response (q);
          break;
        case ANSWER_WRONG:
          response = wrong_response (q);
          break;
        case ANSWER_SURVEY:
        default:
          response = survey_response (q);
          break;
        }

      sy_question_input_set_response (input, response);
      g_assert_true (sy_question_input_get_has_response (input));
      if (screenshot != NULL && g_hash_table_size (given) == 0)
        {
          g_autofree char *name = g_strconcat (screenshot, "-question.png", NULL);
          ui_test_save_screenshot (GTK_WIDGET (window), name);
        }
      g_hash_table_insert (given, g_strdup (q->id), response);
      step.input = input;
      g_assert_true (gtk_widget_activate_action (step.view, "quiz.submit", NULL));
    }

  return given;
}

static gboolean
result_shown (gpointer data)
{
  QuizStep *step = data;

  return g_strcmp0 (quiz_page (step->view), "result") == 0;
}

/* Waits for the result page, checks its verdict and goes "Back to Course". */
static void
finish_quiz (SyWindow   *window,
             const char *verdict,
             const char *screenshot)
{
  QuizStep step = { _sy_window_get_item_view (window), NULL };

  g_assert_true (ui_test_wait_for (result_shown, &step));
  if (verdict != NULL)
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_test_find_named (step.view, "verdict-label"))), ==,
                     verdict);
  if (screenshot != NULL)
    ui_test_save_screenshot (GTK_WIDGET (window), screenshot);

  /* "Back to Course" returns to the refreshed course page */
  click (ui_test_find_named (step.view, "done-button"));
  g_assert_true (ui_test_wait_for (course_open, window));
  g_assert_null (_sy_window_get_item_view (window));
}

/* ---- (a) who is learning, and PINs ---- */

static SyPinDialog *
pin_dialog (SyWindow *window)
{
  GtkWindow *dialog = _sy_window_get_learner_dialog (window);

  return SY_IS_PIN_DIALOG (dialog) ? SY_PIN_DIALOG (dialog) : NULL;
}

static gboolean
pin_dialog_shown (gpointer data)
{
  SyPinDialog *dialog = pin_dialog (data);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
pin_checked (gpointer data)
{
  SyPinDialog *dialog = pin_dialog (data);

  return dialog != NULL && !_sy_pin_dialog_is_checking (dialog) &&
         _sy_pin_dialog_get_error (dialog) != NULL;
}

static gboolean
no_learner_dialog (gpointer data)
{
  return _sy_window_get_learner_dialog (data) == NULL;
}

/* The dialog's "Sign In" button, clicked; or Enter in the PIN entry */
static void
submit_pin (SyWindow   *window,
            const char *pin,
            gboolean    with_button)
{
  SyPinDialog *dialog = pin_dialog (window);
  GtkEditable *entry = _sy_pin_dialog_get_entry (dialog);

  gtk_editable_set_text (entry, pin);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, pin);
  if (with_button)
    click (find_button (GTK_WIDGET (dialog), "_Sign In"));
  else
    g_signal_emit_by_name (entry, "activate");
}

static void
test_chooser_pin (void)
{
  Fixture f;
  g_autoptr(SyLearner) plain = NULL;
  g_autoptr(SyLearner) teacher = NULL;
  g_autoptr(SyLearner) locked = NULL;
  SyLearnerChooser *chooser;
  SyPinDialog *dialog;
  GtkEditable *entry;
  GtkWidget *focus;

  fixture_init (&f, TRUE);
  plain = add_learner (f.store, "李小红", SY_ROLE_LEARNER, NULL);
  teacher = add_learner (f.store, "Wang Fang", SY_ROLE_TEACHER, "2468");
  locked = add_learner (f.store, "Zhang Wei", SY_ROLE_LEARNER, "1357");
  fixture_open_window (&f);

  /* Everyone on this PC has a tile, and there is one to add a learner. */
  chooser = _sy_window_get_chooser (f.window);
  g_assert_cmpstr (_sy_learner_chooser_get_view (chooser), ==, "learners");
  g_assert_cmpuint (_sy_learner_chooser_get_n_learners (chooser), ==, 3);
  g_assert_true (ui_test_has_label (GTK_WIDGET (chooser), "Who Is Learning?"));
  g_assert_true (ui_test_has_label (_sy_learner_chooser_get_tile (chooser, sy_learner_get_uuid (plain)), "李小红"));
  g_assert_true (ui_test_has_label (_sy_learner_chooser_get_tile (chooser, sy_learner_get_uuid (teacher)), "Teacher"));
  g_assert_true (ui_test_has_label (_sy_learner_chooser_get_tile (chooser, NULL), "Add Learner"));
  /* A Chinese name shows its given name on the avatar: 小红, not the family name 李. */
  {
    g_autoptr(GPtrArray) avatars = g_ptr_array_new ();

    ui_test_collect (_sy_learner_chooser_get_tile (chooser, sy_learner_get_uuid (plain)), ADW_TYPE_AVATAR, avatars);
    g_assert_cmpuint (avatars->len, ==, 1);
    g_assert_cmpint (adw_avatar_get_size (avatars->pdata[0]), ==, 96);
    g_assert_true (ui_test_has_label (avatars->pdata[0], "小红"));
  }
  /* The keyboard starts on the first tile. */
  focus = gtk_window_get_focus (GTK_WINDOW (f.window));
  g_assert_true (GTK_IS_FLOW_BOX_CHILD (focus));
  /* Nobody is signed in: Back and Ctrl+L's action lead nowhere. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.switch-learner", NULL);
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "learners");
  g_assert_null (_sy_window_get_learner (f.window));

  /* A PIN profile asks for its PIN; a wrong one is refused with the store's message. */
  choose_learner (f.window, teacher);
  g_assert_true (ui_test_wait_for (pin_dialog_shown, f.window));
  dialog = pin_dialog (f.window);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Wang Fang");
  entry = _sy_pin_dialog_get_entry (dialog);

  /* PINs are digits: full-width ones (a Chinese input method's) become ASCII, letters are
   * refused, and no more than 8 fit. */
  gtk_editable_set_text (entry, "１２a3");
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "123");
  gtk_editable_set_text (entry, "1234567890");
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "12345678");

  submit_pin (f.window, "0000", TRUE);
  g_assert_true (ui_test_wait_for (pin_checked, f.window));
  g_assert_true (pin_dialog (f.window) == dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_test_message ("wrong PIN: %s", _sy_pin_dialog_get_error (dialog));
  g_assert_true (g_str_has_prefix (_sy_pin_dialog_get_error (dialog), "Wrong PIN."));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (entry)));
  g_assert_null (_sy_window_get_learner (f.window));
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "learners");
  ui_test_spin (300);
  ui_test_save_screenshot (GTK_WIDGET (dialog), "pin-wrong.png");

  /* The right one, with Enter: signed in, the library is theirs. */
  submit_pin (f.window, "2468", FALSE);
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));
  g_assert_true (ui_test_wait_for (no_learner_dialog, f.window));
  g_assert_cmpstr (sy_learner_get_uuid (_sy_window_get_learner (f.window)), ==,
                   sy_learner_get_uuid (teacher));
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "courses");
  g_assert_cmpuint (_sy_window_get_n_cards (f.window), ==, 3);
  g_assert_true (ui_test_has_label (GTK_WIDGET (f.window), "Wang Fang"));

  /* Switch Learner returns to the chooser, with nothing of theirs left behind it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.switch-learner", NULL));
  ui_test_wait_settled (f.window);
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "learners");
  g_assert_null (_sy_window_get_learner (f.window));
  g_assert_cmpuint (_sy_window_get_n_cards (f.window), ==, 0);
  focus = gtk_window_get_focus (GTK_WINDOW (f.window));
  g_assert_true (focus == _sy_learner_chooser_get_tile (chooser, sy_learner_get_uuid (teacher)));

  /* Wrong again and again: the profile locks, the entry is shut and says for how long. */
  choose_learner (f.window, locked);
  g_assert_true (ui_test_wait_for (pin_dialog_shown, f.window));
  dialog = pin_dialog (f.window);
  entry = _sy_pin_dialog_get_entry (dialog);
  for (guint i = 0; i < SY_PIN_MAX_FAILURES; i++)
    {
      g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (entry)));
      submit_pin (f.window, "9999", FALSE);
      g_assert_true (ui_test_wait_for (pin_checked, f.window));
    }
  g_test_message ("locked: %s", _sy_pin_dialog_get_error (dialog));
  g_assert_true (g_str_has_prefix (_sy_pin_dialog_get_error (dialog), "Too many wrong PINs."));
  g_assert_nonnull (strstr (_sy_pin_dialog_get_error (dialog), "60 seconds"));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (entry)));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "sign-in"));
  /* …even the right PIN cannot get in now (the lockout is the store's) */
  g_assert_false (sy_store_check_pin (f.store, sy_learner_get_uuid (locked), "1357", NULL, NULL));
  g_assert_null (_sy_window_get_learner (f.window));

  /* Cancel closes the dialog; nobody is signed in. */
  click (find_button (GTK_WIDGET (dialog), "_Cancel"));
  g_assert_true (ui_test_wait_for (no_learner_dialog, f.window));
  g_assert_null (_sy_window_get_learner (f.window));

  /* Escape too. */
  choose_learner (f.window, teacher);
  g_assert_true (ui_test_wait_for (pin_dialog_shown, f.window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pin_dialog (f.window)), "window.close", NULL));
  g_assert_true (ui_test_wait_for (no_learner_dialog, f.window));
  g_assert_null (_sy_window_get_learner (f.window));

  /* A learner without a PIN signs in at once. */
  sign_in (f.window, plain);
  g_assert_true (ui_test_has_label (GTK_WIDGET (f.window), "李小红"));

  fixture_clear (&f);
}

/* ---- (a) adding a learner ---- */

static SyAddLearnerDialog *
add_dialog (SyWindow *window)
{
  GtkWindow *dialog = _sy_window_get_learner_dialog (window);

  return SY_IS_ADD_LEARNER_DIALOG (dialog) ? SY_ADD_LEARNER_DIALOG (dialog) : NULL;
}

static gboolean
add_dialog_shown (gpointer data)
{
  SyAddLearnerDialog *dialog = add_dialog (data);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
add_failed (gpointer data)
{
  SyAddLearnerDialog *dialog = add_dialog (data);

  return dialog != NULL && !_sy_add_learner_dialog_is_adding (dialog) &&
         _sy_add_learner_dialog_get_error (dialog) != NULL;
}

static gboolean
can_add (SyAddLearnerDialog *dialog)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), "_Add");

  g_assert_nonnull (button);
  return gtk_widget_is_sensitive (button);
}

static void
test_add_learner (void)
{
  Fixture f;
  g_autofree char *long_name = NULL;
  SyAddLearnerDialog *dialog;
  SyLearner *learner;
  g_autoptr(GPtrArray) learners = NULL;

  fixture_init (&f, FALSE);
  fixture_open_window (&f);

  /* Nobody yet: the chooser invites the first learner. */
  g_assert_cmpstr (_sy_learner_chooser_get_view (_sy_window_get_chooser (f.window)), ==, "empty");
  g_assert_true (ui_test_has_label (GTK_WIDGET (f.window), "Add Yourself to Start"));
  click (find_button (GTK_WIDGET (f.window), "_Add Learner…"));
  g_assert_true (ui_test_wait_for (add_dialog_shown, f.window));
  dialog = add_dialog (f.window);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f.window));

  /* A name is needed. */
  g_assert_false (can_add (dialog));
  _sy_add_learner_dialog_fill (dialog, "  ", 0, NULL, NULL, NULL);
  g_assert_false (can_add (dialog));

  /* A teacher needs a PIN, and the dialog says so. */
  _sy_add_learner_dialog_fill (dialog, "Chen Jing", 1, NULL, NULL, "ZJ-2021-0042");
  g_assert_false (can_add (dialog));
  g_assert_nonnull (strstr (_sy_add_learner_dialog_get_pin_hint (dialog), "need a PIN"));

  /* Two different PINs are refused at once. */
  _sy_add_learner_dialog_fill (dialog, "Chen Jing", 1, "4321", "4312", "ZJ-2021-0042");
  g_assert_false (can_add (dialog));
  g_assert_cmpstr (_sy_add_learner_dialog_get_error (dialog), ==, "The two PINs are different.");

  /* What only the store checks comes back from it, inline. */
  long_name = g_strnfill (101, 'x');
  _sy_add_learner_dialog_fill (dialog, long_name, 1, "4321", "4321", NULL);
  g_assert_true (can_add (dialog));
  click (find_button (GTK_WIDGET (dialog), "_Add"));
  g_assert_true (ui_test_wait_for (add_failed, f.window));
  g_assert_cmpstr (_sy_add_learner_dialog_get_error (dialog), ==, "A name is 1 to 100 characters long.");
  g_assert_null (_sy_window_get_learner (f.window));
  ui_test_spin (300);

  _sy_add_learner_dialog_fill (dialog, "Chen Jing", 1, "4321", "4321", "ZJ-2021-0042");
  g_assert_null (_sy_add_learner_dialog_get_error (dialog));
  ui_test_spin (400);
  ui_test_save_screenshot (GTK_WIDGET (dialog), "add-learner.png");
  click (find_button (GTK_WIDGET (dialog), "_Add"));

  /* Added and signed in, without being asked the PIN just chosen. */
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));
  g_assert_true (ui_test_wait_for (no_learner_dialog, f.window));
  learner = _sy_window_get_learner (f.window);
  g_assert_cmpstr (sy_learner_get_name (learner), ==, "Chen Jing");
  g_assert_cmpint (sy_learner_get_role (learner), ==, SY_ROLE_TEACHER);
  g_assert_true (sy_learner_get_has_pin (learner));
  g_assert_cmpstr (sy_learner_get_external_id (learner), ==, "ZJ-2021-0042");
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "empty");

  learners = sy_store_list_learners (f.store, NULL, NULL);
  g_assert_cmpuint (learners->len, ==, 1);
  g_assert_true (sy_store_check_pin (f.store, sy_learner_get_uuid (learner), "4321", NULL, NULL));

  /* Back at the chooser, the new learner has a tile. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.switch-learner", NULL));
  ui_test_wait_settled (f.window);
  g_assert_cmpuint (_sy_learner_chooser_get_n_learners (_sy_window_get_chooser (f.window)), ==, 1);

  fixture_clear (&f);
}

/* ---- (b) a lesson read to the end ---- */

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static GtkAdjustment *
lesson_adjustment (SyLessonView *view)
{
  return gtk_scrolled_window_get_vadjustment (_sy_lesson_view_get_scrolled_window (view));
}

static void
scroll_lesson_to_end (SyWindow     *window,
                      SyLessonView *view)
{
  GtkAdjustment *adj = lesson_adjustment (view);

  ui_test_wait_frames (GTK_WIDGET (window));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  ui_test_wait_frames (GTK_WIDGET (window));
}

static void
test_lesson (void)
{
  Fixture f;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(SyLearner) other = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  SyLessonView *view;
  GtkWidget *page;
  AdwActionRow *row;

  fixture_init (&f, TRUE);
  learner = add_learner (f.store, "Liu Yang", SY_ROLE_LEARNER, NULL);
  other = add_learner (f.store, "Sun Li", SY_ROLE_LEARNER, NULL);
  fixture_open_window (&f);
  sign_in (f.window, learner);
  g_assert_true (ui_test_wait_for (window_active, f.window));

  open_course (f.window, HYGIENE_ID);
  page = GTK_WIDGET (_sy_window_get_course_page (f.window));
  g_assert_true (ui_test_has_label (page, "0 of 7 done"));
  g_assert_true (ui_test_has_label (page, "0 of 3 class hours studied"));

  view = SY_LESSON_VIEW (open_item (f.window, "The five moments for hand hygiene"));
  g_assert_true (SY_IS_LESSON_VIEW (view));
  g_assert_true (ui_test_has_label (GTK_WIDGET (f.window), "The five moments for hand hygiene"));

  /* The text size follows the setting, and the menu's buttons change it. */
  g_assert_cmpfloat (sy_lesson_view_get_text_scale (view), ==, 1.0);
  g_settings_set_double (settings, "text-scale", 1.5);
  g_assert_cmpfloat_with_epsilon (sy_lesson_view_get_text_scale (view), 1.5, 0.001);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.text-larger", NULL));
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "text-scale"), 1.6, 0.001);
  g_assert_cmpfloat_with_epsilon (sy_lesson_view_get_text_scale (view), 1.6, 0.001);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.text-normal", NULL));
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "text-scale"), 1.0, 0.001);
  g_assert_cmpfloat_with_epsilon (sy_lesson_view_get_text_scale (view), 1.0, 0.001);

  /* Eight minutes of reading, on the view's own clock, and the end reached. */
  _sy_lesson_view_set_manual_clock (view, TRUE);
  _sy_lesson_view_set_limits (view, 100000, 60);
  g_assert_true (_sy_lesson_view_is_counting (view));
  scroll_lesson_to_end (f.window, view);
  g_assert_true (_sy_lesson_view_get_reached_end (view));
  for (guint i = 0; i < 8 * 60; i++)
    g_assert_true (_sy_lesson_view_tick (view));
  g_assert_true (sy_lesson_view_get_completed (view));

  /* Back: the lesson stops, and the course page shows it completed, for this learner. */
  go_back_to_course (f.window);
  row = ui_test_find_row (page, "The five moments for hand hygiene");
  g_assert_true (row_shows_status (row, "Completed"));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (row)));
  g_assert_true (ui_test_has_label (page, "1 of 7 done"));
  /* 480 s of the 3 × 45 min: 0.17, rounded down */
  g_assert_true (ui_test_has_label (page, "0.1 of 3 class hours studied"));
  g_assert_cmpint (stored_status (f.store, learner, HYGIENE_ID, "five-moments"), ==, SY_STATUS_COMPLETED);
  g_assert_cmpint (stored_status (f.store, other, HYGIENE_ID, "five-moments"), ==, SY_STATUS_NOT_STARTED);
  /* every second counted is recorded, once (the window's store writes in its own time) */
  {
    SecondsWait w = { f.store, learner, HYGIENE_ID, 8 * 60 };

    if (!ui_test_wait_for (seconds_stored, &w))
      g_error ("%g s recorded, not %g", stored_seconds (&w), w.seconds);
  }

  /* The library card says so too, after Back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  ui_test_wait_settled (f.window);
  {
    gboolean seen = FALSE;

    for (guint i = 0; i < _sy_window_get_n_cards (f.window); i++)
      {
        SyCourseCard *card = _sy_window_get_card (f.window, i);

        if (g_strcmp0 (sy_course_get_id (sy_course_card_get_course (card)), HYGIENE_ID) == 0)
          {
            g_assert_true (ui_test_has_label (GTK_WIDGET (card), "1 of 7 done"));
            seen = TRUE;
          }
      }
    g_assert_true (seen);
  }

  /* Someone else's library and course page show their own progress only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.switch-learner", NULL));
  ui_test_wait_settled (f.window);
  sign_in (f.window, other);
  open_course (f.window, HYGIENE_ID);
  g_assert_true (ui_test_has_label (page, "0 of 7 done"));
  g_assert_false (row_shows_status (ui_test_find_row (page, "The five moments for hand hygiene"), "Completed"));

  fixture_clear (&f);
}

/* ---- (c) quizzes passed and failed, a survey answered ---- */

static void
test_quizzes (void)
{
  Fixture f;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(SyCourse) hygiene = NULL;
  g_autoptr(SyCourse) retail = NULL;
  g_autoptr(SyQuiz) hand_quiz = NULL;
  g_autoptr(SyQuiz) cold_quiz = NULL;
  g_autoptr(SyQuiz) survey = NULL;
  g_autoptr(GHashTable) given = NULL;
  g_autoptr(GPtrArray) answered = NULL;
  GtkWidget *page;
  GHashTableIter iter;
  gpointer key, value;

  fixture_init (&f, TRUE);
  learner = add_learner (f.store, "Zhou Min", SY_ROLE_LEARNER, NULL);
  {
    SyItem *item = find_item (f.store, learner, HYGIENE_ID, "hand-hygiene-quiz", &hygiene);

    hand_quiz = load_quiz (hygiene, item);
    cold_quiz = load_quiz (hygiene, sy_course_find_item (hygiene, "cold-chain-quiz"));
    item = find_item (f.store, learner, RETAIL_ID, "income-life-survey", &retail);
    survey = load_quiz (retail, item);
  }
  fixture_open_window (&f);
  sign_in (f.window, learner);
  open_course (f.window, HYGIENE_ID);
  page = GTK_WIDGET (_sy_window_get_course_page (f.window));

  /* Every answer right: passed. */
  open_item (f.window, "Hand hygiene quiz");
  g_clear_pointer (&given, g_hash_table_unref);
  given = take_quiz (f.window, hand_quiz, ANSWER_RIGHT, G_MAXUINT, NULL);
  g_assert_cmpuint (g_hash_table_size (given), ==, sy_quiz_get_n_questions (hand_quiz));
  finish_quiz (f.window, "You passed", NULL);
  g_assert_true (row_shows_status (ui_test_find_row (page, "Hand hygiene quiz"), "Passed"));
  g_assert_cmpint (stored_status (f.store, learner, HYGIENE_ID, "hand-hygiene-quiz"), ==, SY_STATUS_PASSED);
  g_assert_cmpuint (count_statements (f.store, learner, "hand-hygiene-quiz", SY_VERB_PASSED), ==, 1);

  /* Every answer wrong: failed, and the row does not say passed. */
  open_item (f.window, "Cold chain quiz");
  g_clear_pointer (&given, g_hash_table_unref);
  given = take_quiz (f.window, cold_quiz, ANSWER_WRONG, G_MAXUINT, NULL);
  g_assert_cmpuint (g_hash_table_size (given), ==, sy_quiz_get_n_questions (cold_quiz));
  finish_quiz (f.window, "Not passed yet — you can try again", NULL);
  g_assert_false (row_shows_status (ui_test_find_row (page, "Cold chain quiz"), "Passed"));
  g_assert_cmpint (stored_status (f.store, learner, HYGIENE_ID, "cold-chain-quiz"), <, SY_STATUS_PASSED);
  g_assert_cmpuint (count_statements (f.store, learner, "cold-chain-quiz", SY_VERB_FAILED), ==, 1);

  /* A survey: each response is in the exported statements. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  ui_test_wait_settled (f.window);
  open_course (f.window, RETAIL_ID);
  open_item (f.window, "Survey: income and satisfaction");
  g_clear_pointer (&given, g_hash_table_unref);
  given = take_quiz (f.window, survey, ANSWER_SURVEY, G_MAXUINT, NULL);
  g_assert_cmpuint (g_hash_table_size (given), ==, sy_quiz_get_n_questions (survey));
  finish_quiz (f.window, "Thank you", NULL);
  g_assert_true (row_shows_status (ui_test_find_row (page, "Survey: income and satisfaction"), "Completed"));

  answered = stored_statements (f.store, sy_learner_get_uuid (learner), "income-life-survey",
                                SY_VERB_ANSWERED);
  g_assert_cmpuint (answered->len, ==, g_hash_table_size (given));
  g_hash_table_iter_init (&iter, given);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < answered->len && !found; i++)
        {
          SyStatementInfo *info = answered->pdata[i];

          found = g_strcmp0 (info->question_id, key) == 0 && g_strcmp0 (info->response, value) == 0;
        }
      if (!found)
        g_error ("the survey's answer %s = “%s” is not in the statements", (char *) key, (char *) value);
    }
  g_assert_cmpint (stored_status (f.store, learner, RETAIL_ID, "income-life-survey"), ==, SY_STATUS_COMPLETED);

  fixture_clear (&f);
}

/* ---- (d) an idle learner is signed out ---- */

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        return controller;
    }
  return NULL;
}

static void
test_idle (void)
{
  Fixture f;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkEventController *motion;
  SyLessonView *view;
  GtkWidget *focus;

  fixture_init (&f, TRUE);
  learner = add_learner (f.store, "Hu Jun", SY_ROLE_LEARNER, NULL);
  g_assert_cmpint (g_settings_get_int (settings, "idle-minutes"), ==, 15);
  g_settings_set_int (settings, "idle-minutes", 1);
  fixture_open_window (&f);
  sign_in (f.window, learner);
  g_assert_true (ui_test_wait_for (window_active, f.window));

  /* A row activated while the course page is still sliding in opens all the same. */
  {
    SyCourseCard *card = NULL;

    for (guint i = 0; i < _sy_window_get_n_cards (f.window) && card == NULL; i++)
      if (g_strcmp0 (sy_course_get_id (sy_course_card_get_course (_sy_window_get_card (f.window, i))),
                     HYGIENE_ID) == 0)
        card = _sy_window_get_card (f.window, i);
    gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (card)));
    g_assert_true (gtk_widget_activate (gtk_widget_get_parent (GTK_WIDGET (card))));
    g_assert_true (ui_test_wait_for (course_loaded, f.window));
    g_assert_true (adw_leaflet_get_child_transition_running (
      ADW_LEAFLET (gtk_widget_get_ancestor (GTK_WIDGET (_sy_window_get_course_page (f.window)),
                                            ADW_TYPE_LEAFLET))));
  }
  view = SY_LESSON_VIEW (open_item (f.window, "How to wash and rub your hands"));
  g_assert_nonnull (gtk_widget_get_root (GTK_WIDGET (view)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  /* Some reading, not yet recorded (a slice is a minute). */
  _sy_lesson_view_set_manual_clock (view, TRUE);
  _sy_lesson_view_set_limits (view, 100000, 60);
  for (guint i = 0; i < 25; i++)
    g_assert_true (_sy_lesson_view_tick (view));
  ui_test_spin (100);
  {
    SecondsWait w = { f.store, learner, HYGIENE_ID, 0 };

    g_assert_cmpfloat (stored_seconds (&w), ==, 0);
  }

  /* Under a minute without input: still signed in. */
  _sy_window_pretend_idle (f.window, 40);
  g_assert_nonnull (_sy_window_get_learner (f.window));
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "item");

  /* The pointer moving in the window is input: the minute starts again. */
  motion = find_controller (GTK_WIDGET (f.window), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_nonnull (motion);
  g_signal_emit_by_name (motion, "motion", 10.0, 10.0);
  _sy_window_pretend_idle (f.window, 40);
  g_assert_nonnull (_sy_window_get_learner (f.window));

  /* A key too. */
  {
    GtkEventController *keys = find_controller (GTK_WIDGET (f.window), GTK_TYPE_EVENT_CONTROLLER_KEY);
    gboolean handled = TRUE;

    g_assert_nonnull (keys);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, (GdkModifierType) 0, &handled);
    g_assert_false (handled);
  }
  _sy_window_pretend_idle (f.window, 40);
  g_assert_nonnull (_sy_window_get_learner (f.window));

  /* A whole minute: back to the chooser, the lesson's time recorded first. */
  _sy_window_pretend_idle (f.window, 21);
  g_assert_null (_sy_window_get_learner (f.window));
  ui_test_wait_settled (f.window);
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "learners");
  g_assert_null (_sy_window_get_item_view (f.window));
  g_assert_cmpuint (_sy_window_get_n_cards (f.window), ==, 0);
  focus = gtk_window_get_focus (GTK_WINDOW (f.window));
  g_assert_true (focus == _sy_learner_chooser_get_tile (_sy_window_get_chooser (f.window),
                                                       sy_learner_get_uuid (learner)));

  {
    SecondsWait w = { f.store, learner, HYGIENE_ID, 25 };

    if (!ui_test_wait_for (seconds_stored, &w))
      g_error ("%g s recorded, not %g", stored_seconds (&w), w.seconds);
  }

  /* Nobody signed in: nothing to time out. */
  _sy_window_pretend_idle (f.window, 3600);
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "learners");

  g_settings_reset (settings, "idle-minutes");
  fixture_clear (&f);
}

/* ---- a completed course's certificate ---- */

static gboolean
toast_shown (gpointer data)
{
  return _sy_window_get_last_toast (data) != NULL && !_sy_window_is_busy (data);
}

static void
test_certificate (void)
{
  Fixture f;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(SyCourse) course = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *page;
  gsize length;

  fixture_init (&f, TRUE);
  learner = add_learner (f.store, "Gao Lei", SY_ROLE_LEARNER, NULL);

  /* Everything but one lesson done through the store, the last one in the window. */
  {
    g_autoptr(GError) error = NULL;
    GPtrArray *modules;

    course = sy_store_get_course (f.store, HYGIENE_ID, sy_learner_get_uuid (learner), NULL, &error);
    g_assert_no_error (error);
    modules = sy_course_get_modules (course);
    for (guint m = 0; m < modules->len; m++)
      {
        SyModule *module = modules->pdata[m];

        for (guint i = 0; i < module->items->len; i++)
          {
            SyItem *item = module->items->pdata[i];
            g_autofree char *id = NULL;
            SyEvent event;

            if (g_str_equal (item->id, "power-failure"))
              continue;
            sy_event_init (&event);
            event.learner_uuid = sy_learner_get_uuid (learner);
            event.course_id = HYGIENE_ID;
            event.item_id = item->id;
            event.item_type = item->type;
            event.verb = item->type == SY_ITEM_QUIZ ? SY_VERB_PASSED : SY_VERB_COMPLETED;
            event.seconds = item->type == SY_ITEM_LESSON ? 1800 : -1;
            if (item->type == SY_ITEM_QUIZ)
              {
                event.score = 1;
                event.success = TRUE;
              }
            event.completion = TRUE;
            id = sy_store_record (f.store, &event, NULL, &error);
            g_assert_no_error (error);
          }
      }
  }

  fixture_open_window (&f);
  sign_in (f.window, learner);
  open_course (f.window, HYGIENE_ID);
  page = GTK_WIDGET (_sy_window_get_course_page (f.window));
  g_assert_true (ui_test_has_label (page, "6 of 7 done"));
  g_assert_false (gtk_widget_get_mapped (ui_test_find_named (page, "certificate-button")));
  g_assert_false (gtk_widget_is_sensitive (ui_test_find_named (page, "certificate-button")));

  {
    SyLessonView *view = SY_LESSON_VIEW (open_item (f.window, "When the power fails"));

    g_assert_true (ui_test_wait_for (window_active, f.window));
    _sy_lesson_view_set_manual_clock (view, TRUE);
    _sy_lesson_view_set_limits (view, 100000, 60);
    scroll_lesson_to_end (f.window, view);
    for (guint i = 0; i < 8 * 60; i++)
      g_assert_true (_sy_lesson_view_tick (view));
    g_assert_true (sy_lesson_view_get_completed (view));
    go_back_to_course (f.window);
  }

  /* Completed: 4 × 30 min + 8 min of lessons = 2.8 of 3 class hours; the certificate can
   * be saved. */
  g_assert_true (ui_test_has_label (page, "7 of 7 done"));
  g_assert_true (ui_test_has_label (page, "2.8 of 3 class hours studied"));
  g_assert_nonnull (_sy_window_get_course_progress (f.window));
  g_assert_nonnull (_sy_window_get_course_progress (f.window)->completion_id);
  g_assert_true (gtk_widget_get_mapped (ui_test_find_named (page, "certificate-button")));
  g_assert_true (gtk_widget_is_sensitive (ui_test_find_named (page, "certificate-button")));
  ui_test_save_screenshot (GTK_WIDGET (f.window), "course-completed.png");

  name = _sy_window_get_certificate_name (f.window);
  /* (":" is not allowed on the FAT USB sticks certificates are often saved to) */
  g_assert_cmpstr (name, ==, "Village doctor_ hand hygiene and the vaccine cold chain - Gao Lei.pdf");
  path = g_build_filename (f.data_dir, name, NULL);
  _sy_window_save_certificate (f.window, path);
  g_assert_true (ui_test_wait_for (toast_shown, f.window));
  g_test_message ("toast: %s", _sy_window_get_last_toast (f.window));
  g_assert_true (g_str_has_prefix (_sy_window_get_last_toast (f.window),
                                   "Certificate saved. Verification code: "));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));

  fixture_clear (&f);
}

/* ---- (e) the crash test: the real app killed in the middle of a quiz ---- */

#define CRASH_COURSE "crash-test"
#define CRASH_QUIZ "crash-quiz"

/* A course with one quiz of four single-choice questions, whose feedback is at the end:
 * each answer is recorded and the next question shown, nothing else. */
static void
import_crash_course (SyStore    *store,
                     const char *dir)
{
  g_autofree char *package = g_build_filename (dir, "crash-course", NULL);
  g_autofree char *quizzes = g_build_filename (package, "quizzes", NULL);
  g_autofree char *course_json = g_build_filename (package, "course.json", NULL);
  g_autofree char *quiz_json = g_build_filename (quizzes, "q.json", NULL);
  g_autoptr(GString) questions = g_string_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (package);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *quiz = NULL;

  for (guint i = 1; i <= 4; i++)
    g_string_append_printf (questions,
                            "%s{\"id\": \"q%u\", \"type\": \"single\", \"prompt\": \"Question %u?\","
                            " \"options\": [{\"id\": \"a\", \"text\": \"Alpha\"},"
                            " {\"id\": \"b\", \"text\": \"Beta\"}, {\"id\": \"c\", \"text\": \"Gamma\"}],"
                            " \"answer\": \"a\"}",
                            i > 1 ? ", " : "", i, i);
  quiz = g_strdup_printf ("{\"questions\": [%s]}", questions->str);

  g_assert_cmpint (g_mkdir_with_parents (quizzes, 0755), ==, 0);
  g_assert_true (g_file_set_contents (quiz_json, quiz, -1, NULL));
  g_assert_true (g_file_set_contents (course_json,
    "{\"format\": 1, \"id\": \"" CRASH_COURSE "\", \"version\": 1, \"programme\": \"retail\","
    " \"title\": \"A Crash Course\", \"languages\": [\"en\"], \"class_hours\": 1,"
    " \"modules\": [{\"id\": \"m\", \"title\": \"Module\", \"items\": ["
    " {\"id\": \"" CRASH_QUIZ "\", \"type\": \"quiz\", \"title\": \"Crash quiz\","
    " \"file\": \"quizzes/q.json\", \"feedback\": \"end\"}]}]}", -1, NULL));

  course = sy_store_import (store, file, NULL, NULL, &error);
  g_assert_no_error (error);
}

static GPid
spawn_app (const char *data_dir,
           const char *script)
{
  const char *argv[] = { SHUYUAN_APP, "--data-dir", data_dir, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  envp = g_environ_setenv (envp, "SHUYUAN_TEST_SCRIPT", script, TRUE);
  envp = g_environ_setenv (envp, "GSETTINGS_SCHEMA_DIR", SY_TEST_SCHEMA_DIR, TRUE);
  envp = g_environ_unsetenv (envp, "LANGUAGE");
  /* nothing may reach the test's stdout, which is TAP */
  g_spawn_async (NULL, (char **) argv, envp,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static void
write_script (const char *path,
              SyLearner  *learner,
              const char *keys,
              const char *report)
{
  g_autofree char *json = g_strdup_printf ("{\"learner\": \"%s\", \"course\": \"" CRASH_COURSE "\","
                                           " \"item\": \"" CRASH_QUIZ "\", \"keys\": [%s],"
                                           " \"report\": \"%s\"}",
                                           sy_learner_get_uuid (learner), keys, report);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

/* The report the app's test script writes when it is done: key → value */
static GHashTable *
wait_report (const char *path,
             GPid        pid)
{
  GHashTable *report = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      int status;

      if (waitpid (pid, &status, WNOHANG) == pid)
        g_error ("the app ended (status %d) before its script was done", status);
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          g_error ("the app's script did not finish in 20 s");
        }
      g_usleep (50 * 1000);
    }

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');

      if (eq != NULL)
        g_hash_table_insert (report, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }
  g_test_message ("the app's script: %s", text);
  return report;
}

static void
kill_app (GPid pid)
{
  int status = 0;

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_spawn_close_pid (pid);
}

/* What the database holds, read as another program would while the app runs: question
 * id → response of the learner's answers to the crash quiz */
static GHashTable *
read_answers (const char *data_dir,
              SyLearner  *learner,
              char      **registration)
{
  g_autofree char *path = g_build_filename (data_dir, SY_STORE_DB_NAME, NULL);
  GHashTable *answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json FROM statements WHERE learner_uuid = ?1 "
                                           "AND item_id = ?2 AND verb = ?3", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, sy_learner_get_uuid (learner), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, CRASH_QUIZ, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sy_verb_to_iri (SY_VERB_ANSWERED), -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_object *json = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 0));
      g_autoptr(SyStatementInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (json);
      info = sy_statement_info_new (json, &error);
      g_assert_no_error (error);
      json_object_put (json);
      g_hash_table_insert (answers, g_strdup (info->question_id), g_strdup (info->response));
      g_free (*registration);
      *registration = g_strdup (info->registration);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return answers;
}

static void
assert_same_answers (GHashTable *expected,
                     GHashTable *found)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (found), ==, g_hash_table_size (expected));
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (found, key), ==, value);
}

static gboolean
progress_is (gpointer data)
{
  GtkWidget *label = ui_test_find_named (data, "progress-label");

  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)),
                    g_object_get_data (G_OBJECT (data), "wanted-progress")) == 0;
}

static void
test_crash (void)
{
  Fixture f;
  g_autoptr(SyLearner) learner = NULL;
  g_autofree char *script = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *registration = NULL;
  g_autoptr(GHashTable) report = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(SyAttempt) attempt = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *view;
  GPid pid;

  fixture_init (&f, TRUE);
  learner = add_learner (f.store, "Tang Hua", SY_ROLE_LEARNER, NULL);
  import_crash_course (f.store, f.data_dir);
  /* The app must open the store itself: this test's connection closes first. */
  g_clear_object (&f.store);

  script = g_build_filename (f.data_dir, "script.json", NULL);
  report_path = g_build_filename (f.data_dir, "report.txt", NULL);

  /* The real app answers two of the four questions… */
  write_script (script, learner, "2, 3", report_path);
  pid = spawn_app (f.data_dir, script);
  report = wait_report (report_path, pid);
  g_assert_cmpstr (g_hash_table_lookup (report, "start"), ==, "Start");
  g_assert_cmpstr (g_hash_table_lookup (report, "answered"), ==, "2");
  g_assert_cmpstr (g_hash_table_lookup (report, "question"), ==, "Question 3 of 4");

  /* …both are in the database as the app shows the third question… */
  before = read_answers (f.data_dir, learner, &registration);
  g_assert_cmpuint (g_hash_table_size (before), ==, 2);
  g_assert_true (g_hash_table_contains (before, "q1"));
  g_assert_true (g_hash_table_contains (before, "q2"));

  /* …and the power goes. */
  kill_app (pid);

  /* The attempt is open with exactly those answers. */
  f.store = ui_test_open_store (f.data_dir);
  attempt = sy_store_get_open_attempt (f.store, sy_learner_get_uuid (learner), CRASH_COURSE,
                                       CRASH_QUIZ, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attempt);
  g_assert_cmpstr (attempt->registration, ==, registration);
  assert_same_answers (before, attempt->answers);
  g_clear_object (&f.store);

  /* The app started again continues the attempt at the third question. */
  g_clear_pointer (&report, g_hash_table_unref);
  g_assert_cmpint (g_unlink (report_path), ==, 0);
  write_script (script, learner, "", report_path);
  pid = spawn_app (f.data_dir, script);
  report = wait_report (report_path, pid);
  g_assert_cmpstr (g_hash_table_lookup (report, "start"), ==, "Continue");
  g_assert_cmpstr (g_hash_table_lookup (report, "question"), ==, "Question 3 of 4");
  kill_app (pid);

  /* So does a quiz view in this process, with the same answers. */
  f.store = ui_test_open_store (f.data_dir);
  fixture_open_window (&f);
  sign_in (f.window, learner);
  open_course (f.window, CRASH_COURSE);
  view = open_item (f.window, "Crash quiz");
  {
    QuizStep step = { view, NULL };
    GtkWidget *start;
    SyQuestionInput *input;
    g_autofree char *response = NULL;

    g_assert_true (ui_test_wait_for (start_page_shown, &step));
    start = ui_test_find_named (view, "start-button");
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (start)), ==, "Continue");
    click (start);
    g_assert_true (ui_test_wait_for (quiz_moved_on, &step));
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_test_find_named (view, "progress-label"))), ==,
                     "Question 3 of 4");

    /* the second answer, as given before the crash */
    click (ui_test_find_named (view, "previous-button"));
    g_object_set_data (G_OBJECT (view), "wanted-progress", (gpointer) "Question 2 of 4");
    g_assert_true (ui_test_wait_for (progress_is, view));
    input = current_input (view);
    g_assert_true (sy_question_input_get_locked (input));
    response = sy_question_input_get_response (input);
    g_assert_cmpstr (response, ==, g_hash_table_lookup (before, "q2"));
  }

  fixture_clear (&f);
}

static void
test_screenshots (void)
{
  Fixture f;
  g_autoptr(SyLearner) wang = NULL;
  g_autoptr(SyLearner) li = NULL;
  g_autoptr(SyLearner) zhang = NULL;
  g_autoptr(SyLearner) liu = NULL;
  g_autoptr(SyLearner) ma = NULL;
  g_autoptr(SyCourse) hygiene = NULL;
  g_autoptr(SyQuiz) quiz = NULL;
  g_autoptr(GHashTable) given = NULL;
  SyPinDialog *dialog;
  SyLessonView *view;

  /* The interface from po/zh_CN.po (SHUYUAN_LOCALEDIR), the courses in their Chinese. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  fixture_init (&f, TRUE);
  wang = add_learner (f.store, "王小明", SY_ROLE_LEARNER, "2580");
  li = add_learner (f.store, "李秀英", SY_ROLE_LEARNER, NULL);
  zhang = add_learner (f.store, "张伟", SY_ROLE_TEACHER, "1379");
  liu = add_learner (f.store, "刘洋", SY_ROLE_LEARNER, NULL);
  ma = add_learner (f.store, "阿依古丽·买买提", SY_ROLE_COORDINATOR, "8642");
  {
    SyItem *item = find_item (f.store, wang, HYGIENE_ID, "hand-hygiene-quiz", &hygiene);

    quiz = load_quiz (hygiene, item);
  }

  fixture_open_window (&f);
  ui_test_resize_window (f.window, 1024, 600);
  ui_test_assert_fits (f.window, 1024, 600);
  ui_test_save_screenshot (GTK_WIDGET (f.window), "learning-chooser-zh_CN.png");

  choose_learner (f.window, wang);
  g_assert_true (ui_test_wait_for (pin_dialog_shown, f.window));
  dialog = pin_dialog (f.window);
  gtk_editable_set_text (_sy_pin_dialog_get_entry (dialog), "25");
  ui_test_spin (300);
  ui_test_save_screenshot (GTK_WIDGET (dialog), "learning-pin-zh_CN.png");
  submit_pin (f.window, "2580", FALSE);
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));
  g_assert_true (ui_test_wait_for (no_learner_dialog, f.window));
  ui_test_assert_fits (f.window, 1024, 600);
  ui_test_save_screenshot (GTK_WIDGET (f.window), "learning-library-zh_CN.png");

  open_course (f.window, HYGIENE_ID);
  ui_test_assert_fits (f.window, 1024, 600);

  view = SY_LESSON_VIEW (open_item (f.window, "手卫生的五个时刻"));
  ui_test_assert_fits (f.window, 1024, 600);
  ui_test_spin (200);
  ui_test_save_screenshot (GTK_WIDGET (f.window), "learning-lesson-zh_CN.png");

  /* The primary menu's text size control */
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    GtkMenuButton *menu = NULL;
    GtkPopover *popover;

    ui_test_collect (GTK_WIDGET (f.window), GTK_TYPE_MENU_BUTTON, buttons);
    for (guint i = 0; i < buttons->len && menu == NULL; i++)
      if (gtk_widget_get_mapped (buttons->pdata[i]) &&
          g_strcmp0 (gtk_menu_button_get_icon_name (buttons->pdata[i]), "open-menu-symbolic") == 0)
        menu = buttons->pdata[i];
    g_assert_nonnull (menu);
    gtk_menu_button_popup (menu);
    popover = gtk_menu_button_get_popover (menu);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.text-larger", NULL));
    ui_test_spin (400);
    g_assert_true (ui_test_has_label (GTK_WIDGET (popover), "110%"));
    ui_test_save_screenshot (GTK_WIDGET (popover), "learning-text-size-zh_CN.png");
    gtk_menu_button_popdown (menu);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.text-normal", NULL));
  }
  _sy_lesson_view_set_manual_clock (view, TRUE);
  go_back_to_course (f.window);

  open_item (f.window, "手卫生小测验");
  given = take_quiz (f.window, quiz, ANSWER_RIGHT, G_MAXUINT, "learning-quiz-zh_CN");
  ui_test_assert_fits (f.window, 1024, 600);
  finish_quiz (f.window, NULL, "learning-quiz-result-zh_CN.png");

  ui_test_spin (200);
  ui_test_save_screenshot (GTK_WIDGET (f.window), "learning-course-zh_CN.png");

  g_unsetenv ("LANGUAGE");
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  app = ui_test_register_app ();

  g_test_add_func ("/learning/chooser/pin", test_chooser_pin);
  g_test_add_func ("/learning/chooser/add-learner", test_add_learner);
  g_test_add_func ("/learning/lesson/complete", test_lesson);
  g_test_add_func ("/learning/quiz/pass-fail-survey", test_quizzes);
  g_test_add_func ("/learning/idle/sign-out", test_idle);
  g_test_add_func ("/learning/course/certificate", test_certificate);
  g_test_add_func ("/learning/quiz/crash", test_crash);
  g_test_add_func ("/learning/screenshots/zh-CN", test_screenshots);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
