/* sy-test-script.c — SHUYUAN_TEST_SCRIPT: a test hook that answers quiz questions
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The crash test (tests/ui/test-learning.c) kills the real `shuyuan` process in the middle
 * of a quiz attempt and checks that every answer given survived. A separate process cannot
 * be driven from the test, so when the environment of `shuyuan` names a script,
 *
 *   SHUYUAN_TEST_SCRIPT=script.json shuyuan --data-dir DIR
 *
 * the window does what a user would, one step at a time as the window becomes ready:
 * choose the learner's tile, open the course, open the item, press Start (or Continue),
 * then for each number in "keys" press that number key (choose the option) and Enter
 * (submit), and Enter again on an answer's feedback. When it runs out of keys it writes
 * a report and stops, leaving the app as it is:
 *
 *   {"learner": "<uuid>", "course": "<id>", "item": "<id>", "keys": [2, 1],
 *    "report": "/path/report.txt"}
 *
 *   report.txt:  start=<the start button's label>
 *                answered=<keys pressed>
 *                question=<the "Question N of M" on screen at the end>
 *
 * It is safe to ship: nothing happens unless the variable names a readable script; it
 * only presses what a user can press, and it stops at a PIN (it never signs anyone in
 * without one), at anything it does not find, and after a minute. Messages go to the log,
 * never to stdout.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <json-c/json.h>

#include "sy-quiz-view.h"
#include "sy-test-script.h"
#include "sy-window-private.h"

#define TICK_MS       100
#define GIVE_UP_AFTER (60 * G_USEC_PER_SEC)

typedef enum
{
  STEP_CHOOSE_LEARNER,
  STEP_OPEN_COURSE,
  STEP_OPEN_ITEM,
  STEP_START,
  STEP_ANSWER,
} Step;

typedef struct
{
  SyWindow  *window;        /* weak */
  char      *learner;
  char      *course;
  char      *item;
  char      *report;
  GArray    *keys;          /* int */
  guint      n_pressed;
  GtkWidget *answered;      /* the last question answered; compared, never used */
  GtkWidget *went_on;       /* the last question whose feedback was passed */
  char      *start_label;
  Step       step;
  gint64     deadline;
} Script;

static void
script_free (Script *script)
{
  g_clear_weak_pointer (&script->window);
  g_free (script->learner);
  g_free (script->course);
  g_free (script->item);
  g_free (script->report);
  g_clear_pointer (&script->keys, g_array_unref);
  g_free (script->start_label);
  g_free (script);
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
ready (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget) && gtk_widget_is_sensitive (widget);
}

static void
write_report (Script    *script,
              GtkWidget *view)
{
  GtkWidget *progress = find_named (view, "progress-label");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  text = g_strdup_printf ("start=%s\nanswered=%u\nquestion=%s\n",
                          script->start_label ? script->start_label : "",
                          script->n_pressed,
                          progress ? gtk_label_get_label (GTK_LABEL (progress)) : "");
  if (script->report != NULL && !g_file_set_contents (script->report, text, -1, &error))
    g_warning ("SHUYUAN_TEST_SCRIPT: cannot write %s: %s", script->report, error->message);
}

/* One step when the window is ready for it. Returns FALSE when the script is over. */
static gboolean
run_step (Script *script)
{
  SyWindow *window = script->window;
  const char *view = _sy_window_get_view (window);
  GtkWidget *quiz;

  if (_sy_window_get_learner_dialog (window) != NULL)
    {
      g_warning ("SHUYUAN_TEST_SCRIPT: the learner has a PIN; the script stops");
      return FALSE;
    }

  switch (script->step)
    {
    case STEP_CHOOSE_LEARNER:
      {
        SyLearnerChooser *chooser = _sy_window_get_chooser (window);
        GtkWidget *tile;

        if (g_strcmp0 (view, "learners") != 0 ||
            g_strcmp0 (_sy_learner_chooser_get_view (chooser), "learners") != 0)
          return TRUE;
        if ((tile = _sy_learner_chooser_get_tile (chooser, script->learner)) == NULL)
          {
            g_warning ("SHUYUAN_TEST_SCRIPT: no learner %s", script->learner);
            return FALSE;
          }
        gtk_widget_grab_focus (tile);
        gtk_widget_activate (tile);
        script->step = STEP_OPEN_COURSE;
        return TRUE;
      }

    case STEP_OPEN_COURSE:
      if (g_strcmp0 (view, "courses") != 0)
        return TRUE;
      for (guint i = 0; i < _sy_window_get_n_cards (window); i++)
        {
          SyCourseCard *card = _sy_window_get_card (window, i);
          GtkWidget *item;

          if (card == NULL ||
              g_strcmp0 (sy_course_get_id (sy_course_card_get_course (card)), script->course) != 0)
            continue;
          item = gtk_widget_get_parent (GTK_WIDGET (card));
          gtk_widget_grab_focus (item);
          gtk_widget_activate (item);
          script->step = STEP_OPEN_ITEM;
          return TRUE;
        }
      g_warning ("SHUYUAN_TEST_SCRIPT: no course %s on screen", script->course);
      return FALSE;

    case STEP_OPEN_ITEM:
      {
        GtkWidget *row;

        if (g_strcmp0 (view, "course") != 0)
          return TRUE;
        sy_course_page_focus_item (_sy_window_get_course_page (window), script->item);
        row = gtk_window_get_focus (GTK_WINDOW (window));
        if (!ADW_IS_ACTION_ROW (row) || !gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)))
          {
            g_warning ("SHUYUAN_TEST_SCRIPT: no item %s to open", script->item);
            return FALSE;
          }
        gtk_widget_activate (row);
        script->step = STEP_START;
        return TRUE;
      }

    case STEP_START:
      {
        GtkWidget *start;

        quiz = _sy_window_get_item_view (window);
        if (g_strcmp0 (view, "item") != 0 || !SY_IS_QUIZ_VIEW (quiz))
          return TRUE;
        start = find_named (quiz, "start-button");
        if (!ready (start))
          return TRUE;
        script->start_label = g_strdup (gtk_button_get_label (GTK_BUTTON (start)));
        gtk_widget_activate (start);
        script->step = STEP_ANSWER;
        return TRUE;
      }

    case STEP_ANSWER:
    default:
      {
        GtkWidget *bin;
        GtkWidget *question;
        GtkWidget *feedback;

        quiz = _sy_window_get_item_view (window);
        if (!SY_IS_QUIZ_VIEW (quiz))
          {
            g_warning ("SHUYUAN_TEST_SCRIPT: the quiz closed");
            return FALSE;
          }
        bin = find_named (quiz, "input-bin");
        question = bin ? adw_bin_get_child (ADW_BIN (bin)) : NULL;
        feedback = find_named (quiz, "feedback-revealer");
        if (!ready (question))
          return TRUE;

        if (question != script->answered)
          {
            /* a question not answered yet: a number key, then Enter */
            if (script->n_pressed == script->keys->len)
              {
                write_report (script, quiz);
                return FALSE;
              }
            gtk_widget_activate_action (quiz, "quiz.choose", "i",
                                        g_array_index (script->keys, int, script->n_pressed));
            if (!ready (find_named (quiz, "primary-button")))
              return TRUE;
            gtk_widget_activate_action (quiz, "quiz.submit", NULL);
            script->answered = question;
            script->n_pressed++;
          }
        else if (question != script->went_on && feedback != NULL &&
                 gtk_revealer_get_reveal_child (GTK_REVEALER (feedback)) &&
                 ready (find_named (quiz, "primary-button")))
          {
            /* the answer's feedback: Enter goes on */
            gtk_widget_activate_action (quiz, "quiz.submit", NULL);
            script->went_on = question;
          }
        return TRUE;
      }
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  Script *script = user_data;

  if (script->window == NULL)
    return G_SOURCE_REMOVE;

  if (g_get_monotonic_time () > script->deadline)
    {
      g_warning ("SHUYUAN_TEST_SCRIPT: gave up at step %d", script->step);
      return G_SOURCE_REMOVE;
    }

  /* Nothing while the window waits for the store or slides between pages */
  if (_sy_window_is_busy (script->window))
    return G_SOURCE_CONTINUE;

  return run_step (script) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static char *
dup_string (json_object *json,
            const char  *key)
{
  json_object *value;

  if (!json_object_object_get_ex (json, key, &value) || !json_object_is_type (value, json_type_string))
    return NULL;
  return g_strdup (json_object_get_string (value));
}

/**
 * sy_test_script_start:
 * @path: a script, as described at the top of this file
 *
 * Runs the script in @window, from the main loop. A script that cannot be read is
 * reported in the log and ignored.
 */
void
sy_test_script_start (SyWindow   *window,
                      const char *path)
{
  json_object *json;
  json_object *keys;
  Script *script;

  g_return_if_fail (SY_IS_WINDOW (window));
  g_return_if_fail (path != NULL);

  if ((json = json_object_from_file (path)) == NULL)
    {
      g_warning ("SHUYUAN_TEST_SCRIPT: cannot read %s: %s", path, json_util_get_last_err ());
      return;
    }

  script = g_new0 (Script, 1);
  g_set_weak_pointer (&script->window, window);
  script->learner = dup_string (json, "learner");
  script->course = dup_string (json, "course");
  script->item = dup_string (json, "item");
  script->report = dup_string (json, "report");
  script->keys = g_array_new (FALSE, FALSE, sizeof (int));
  if (json_object_object_get_ex (json, "keys", &keys) && json_object_is_type (keys, json_type_array))
    for (size_t i = 0; i < json_object_array_length (keys); i++)
      {
        int key = json_object_get_int (json_object_array_get_idx (keys, i));

        g_array_append_val (script->keys, key);
      }
  json_object_put (json);

  if (script->learner == NULL || script->course == NULL || script->item == NULL)
    {
      g_warning ("SHUYUAN_TEST_SCRIPT: %s needs \"learner\", \"course\" and \"item\"", path);
      script_free (script);
      return;
    }

  g_message ("SHUYUAN_TEST_SCRIPT: running %s", path);
  script->deadline = g_get_monotonic_time () + GIVE_UP_AFTER;
  g_timeout_add_full (G_PRIORITY_DEFAULT, TICK_MS, tick_cb, script, (GDestroyNotify) script_free);
}
