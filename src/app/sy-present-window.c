/* sy-present-window.c — a lesson or a quiz full-screen, for a projector
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Present mode shows what the class looks at, and nothing else: no learner's name, no
 * progress, no answers. A lesson is the lesson view at its largest text size, moved a
 * screenful at a time; a quiz is one question and its options at a time. A presenter
 * remote sends Page Up/Page Down (and F5/Escape), so those move and leave.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-lesson-view-private.h"
#include "sy-present-window.h"

struct _SyPresentWindow
{
  AdwWindow        parent_instance;

  SyCourse        *course;
  SyItem          *item;
  SyQuiz          *quiz;
  guint            question;

  GtkWidget       *lesson;      /* SyLessonView, or NULL */
  AdwBin          *bin;
};

G_DEFINE_FINAL_TYPE (SyPresentWindow, sy_present_window, ADW_TYPE_WINDOW)

/* ---- a question, large ---- */

/**
 * sy_present_question_get_n_choices:
 *
 * Returns: how many numbered options @question shows (1 to 9), or 0 if it is not
 *   answered by picking one option
 */
guint
sy_present_question_get_n_choices (SyQuestion *question)
{
  g_return_val_if_fail (question != NULL, 0);

  switch (question->type)
    {
    case SY_QUESTION_TRUE_FALSE:
      return 2;
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_CHOICE:
      if (question->type == SY_QUESTION_CHOICE && question->multiple_choice)
        return 0;
      return question->options ? MIN (question->options->len, 9) : 0;
    default:
      return 0;
    }
}

/**
 * sy_present_question_get_response:
 * @choice: 1 to sy_present_question_get_n_choices()
 *
 * Returns: (transfer full) (nullable): the xAPI response for picking option @choice
 */
char *
sy_present_question_get_response (SyQuestion *question,
                                  guint       choice)
{
  g_return_val_if_fail (question != NULL, NULL);

  if (choice < 1 || choice > sy_present_question_get_n_choices (question))
    return NULL;
  if (question->type == SY_QUESTION_TRUE_FALSE)
    return g_strdup (choice == 1 ? "true" : "false");
  return g_strdup (((SyOption *) g_ptr_array_index (question->options, choice - 1))->id);
}

static GtkWidget *
option_row (guint       number,
            const char *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  g_autofree char *digits = g_strdup_printf ("%u", number);
  GtkWidget *num = gtk_label_new (digits);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (num, "present-option-number");
  gtk_widget_set_valign (num, GTK_ALIGN_START);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (box, "present-option");
  gtk_box_append (GTK_BOX (box), num);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

/**
 * sy_present_question_new:
 *
 * Returns: (transfer floating): @question's prompt and its numbered options, in the
 *   course's order (so the numbers the class sees are the ones the teacher types), large
 */
GtkWidget *
sy_present_question_new (SyQuestion *question,
                         guint       index,
                         guint       n_questions)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_autofree char *counter = NULL;
  GtkWidget *label;

  g_return_val_if_fail (question != NULL, NULL);

  gtk_widget_add_css_class (box, "present-question");

  /* Translators: a question's place in a quiz shown on a projector, e.g. "Question 2 of 8" */
  counter = g_strdup_printf (_("Question %u of %u"), index + 1, n_questions);
  label = gtk_label_new (counter);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "present-counter");
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (sy_text_get (question->prompt, NULL));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "present-prompt");
  gtk_box_append (GTK_BOX (box), label);

  if (question->type == SY_QUESTION_TRUE_FALSE)
    {
      gtk_box_append (GTK_BOX (box), option_row (1, _("True")));
      gtk_box_append (GTK_BOX (box), option_row (2, _("False")));
    }
  else if (question->options != NULL && question->type != SY_QUESTION_ORDERING &&
           question->type != SY_QUESTION_MATCHING)
    {
      for (guint i = 0; i < question->options->len; i++)
        {
          SyOption *option = g_ptr_array_index (question->options, i);
          gtk_box_append (GTK_BOX (box), option_row (i + 1, sy_text_get (option->text, NULL)));
        }
    }
  else if (question->options != NULL)
    {
      /* Ordering and matching: the items to put in order or to match, unnumbered. */
      for (guint i = 0; i < question->options->len; i++)
        {
          SyOption *option = g_ptr_array_index (question->options, i);
          label = gtk_label_new (sy_text_get (option->text, NULL));
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "present-option");
          gtk_box_append (GTK_BOX (box), label);
        }
    }

  return box;
}

/* ---- moving ---- */

static void
show_question (SyPresentWindow *self)
{
  guint n = sy_quiz_get_n_questions (self->quiz);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *question;

  if (n == 0)
    return;
  question = sy_present_question_new (sy_quiz_get_question (self->quiz, self->question),
                                      self->question, n);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1400);
  adw_clamp_set_child (ADW_CLAMP (clamp), question);
  gtk_widget_set_valign (clamp, GTK_ALIGN_CENTER);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  adw_bin_set_child (self->bin, scroller);
}

static void
scroll_lesson (SyPresentWindow *self,
               int              direction)
{
  GtkScrolledWindow *scroller = _sy_lesson_view_get_scrolled_window (SY_LESSON_VIEW (self->lesson));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);
  double page = gtk_adjustment_get_page_size (adj);

  /* A screenful less a line or two, so the reader keeps their place. */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + direction * page * 0.9);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SyPresentWindow *self = SY_PRESENT_WINDOW (widget);
  int direction = g_str_equal (action_name, "present.next") ? 1 : -1;

  if (self->lesson != NULL)
    {
      scroll_lesson (self, direction);
      return;
    }
  if (self->quiz == NULL)
    return;

  /* A presenter remote only has Page Up and Page Down: a question taller than the screen
   * is scrolled through before the next one comes. */
  if (GTK_IS_SCROLLED_WINDOW (adw_bin_get_child (self->bin)))
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (adw_bin_get_child (self->bin)));
      double value = gtk_adjustment_get_value (adj);
      double page = gtk_adjustment_get_page_size (adj);
      double upper = gtk_adjustment_get_upper (adj);

      if ((direction > 0 && value + page < upper - 1) || (direction < 0 && value > 0))
        {
          gtk_adjustment_set_value (adj, value + direction * page * 0.9);
          return;
        }
    }

  if (direction > 0 && self->question + 1 < sy_quiz_get_n_questions (self->quiz))
    self->question++;
  else if (direction < 0 && self->question > 0)
    self->question--;
  else
    return;
  show_question (self);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* ---- the window ---- */

static void
show_error (SyPresentWindow *self,
            const char      *message)
{
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-error-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Could Not Present This Item"));
  adw_status_page_set_description (ADW_STATUS_PAGE (page), message);
  adw_bin_set_child (self->bin, page);
}

static void
sy_present_window_dispose (GObject *object)
{
  SyPresentWindow *self = SY_PRESENT_WINDOW (object);

  g_clear_object (&self->course);
  g_clear_pointer (&self->quiz, sy_quiz_unref);
  self->lesson = NULL;

  G_OBJECT_CLASS (sy_present_window_parent_class)->dispose (object);
}

static void
sy_present_window_class_init (SyPresentWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_present_window_dispose;

  gtk_widget_class_install_action (widget_class, "present.next", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "present.previous", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "present.leave", NULL, leave_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "present.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Page_Down, 0, "present.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "present.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "present.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "present.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Page_Up, 0, "present.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "present.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "present.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "present.leave", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "present.leave", NULL);
}

static void
sy_present_window_init (SyPresentWindow *self)
{
  self->bin = ADW_BIN (adw_bin_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self), "present");
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->bin));
}

/**
 * sy_present_window_new:
 * @teacher: who presents (nothing is recorded for them)
 * @item: a lesson, quiz or survey of @course
 *
 * Returns: (transfer none): a new full-screen window showing @item; Escape or F5 closes it
 */
SyPresentWindow *
sy_present_window_new (GtkWindow *parent,
                       SyStore   *store,
                       SyLearner *teacher,
                       SyCourse  *course,
                       SyItem    *item)
{
  SyPresentWindow *self;

  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (SY_IS_LEARNER (teacher), NULL);
  g_return_val_if_fail (SY_IS_COURSE (course), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  self = g_object_new (SY_TYPE_PRESENT_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "title", sy_text_get (item->title, NULL),
                       "default-width", 1024,
                       "default-height", 600,
                       NULL);
  self->course = g_object_ref (course);
  self->item = item;

  if (item->type == SY_ITEM_LESSON)
    {
      self->lesson = sy_lesson_view_new (store, teacher, course, item);
      _sy_lesson_view_set_presenting (SY_LESSON_VIEW (self->lesson));
      sy_lesson_view_set_text_scale (SY_LESSON_VIEW (self->lesson), 2.0);
      adw_bin_set_child (self->bin, self->lesson);
    }
  else if (item->type == SY_ITEM_QUIZ || item->type == SY_ITEM_SURVEY)
    {
      const char *file = item->file ? sy_text_get (item->file, NULL) : NULL;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      if (file != NULL)
        path = g_build_filename (sy_course_get_content_dir (course), file, NULL);
      if (path == NULL)
        show_error (self, _("The course names no file for this item. Ask for a corrected copy of the course."));
      else if ((self->quiz = sy_quiz_load (path, item->type == SY_ITEM_SURVEY, &error)) == NULL)
        show_error (self, error->message);
      else
        show_question (self);
    }
  else
    show_error (self, _("Only lessons, quizzes and surveys can be presented."));

  gtk_window_fullscreen (GTK_WINDOW (self));
  return self;
}

int
_sy_present_window_get_position (SyPresentWindow *self)
{
  g_return_val_if_fail (SY_IS_PRESENT_WINDOW (self), -1);

  if (self->lesson != NULL)
    {
      GtkScrolledWindow *scroller = _sy_lesson_view_get_scrolled_window (SY_LESSON_VIEW (self->lesson));
      return (int) gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scroller));
    }
  return self->quiz != NULL ? (int) self->question : -1;
}

gboolean
_sy_present_window_is_quiz (SyPresentWindow *self)
{
  g_return_val_if_fail (SY_IS_PRESENT_WINDOW (self), FALSE);
  return self->quiz != NULL;
}
