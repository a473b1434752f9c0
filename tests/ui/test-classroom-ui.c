/* test-classroom-ui.c — the classroom screens, driven in-process under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teacher with a PIN signs in, makes a class, adds its pupils from a list, gives one an
 * avatar, assigns a course, starts a session and marks attendance, runs a class quiz
 * (answers typed for each pupil — an option, several options, a number, a word, an order —
 * one pupil marked absent), writes the coach report as a PDF, presents a lesson and a quiz
 * full-screen, and hands the PC to the class, which sees only the assigned items. Keys are sent the way the app binds
 * them: through the actions the key bindings name (Xvfb here takes no real key events).
 * What the store recorded is checked through the test's own store connection.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "sy-application.h"
#include "sy-classroom-view-private.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-present-window.h"
#include "sy-quiz.h"
#include "sy-store.h"
#include "sy-window-private.h"
#include "ui-test-util.h"

#define CFK_ID "cfk-sequences-loops"

static SyApplication *app;

static const char * const sample_dirs[] = {
  "coding-for-kids",
  NULL
};

typedef struct
{
  char      *data_dir;
  SyStore   *store;
  SyWindow  *window;
} Fixture;

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
      g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
      gtk_window_destroy (GTK_WINDOW (f->window));
      if (!ui_test_wait_for (window_gone, &f->window))
        g_error ("the window was not finalized: %u references left",
                 G_OBJECT (f->window)->ref_count);
    }
  g_ptr_array_unref (sy_store_list_learners (f->store, NULL, NULL));
  g_clear_object (&f->store);
  ui_test_remove_data_dir (f->data_dir);
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
}

/* ---- the classroom view ---- */

typedef struct
{
  SyClassroomView *view;
  const char      *page;
} PageWait;

static gboolean
view_settled_on (gpointer data)
{
  PageWait *w = data;

  return !_sy_classroom_view_is_busy (w->view) &&
         g_strcmp0 (_sy_classroom_view_get_page (w->view), w->page) == 0;
}

static void
wait_page (SyClassroomView *view,
           const char      *page)
{
  PageWait w = { view, page };

  if (!ui_test_wait_for (view_settled_on, &w))
    g_error ("the classroom did not settle on “%s” (it shows “%s”)", page,
             _sy_classroom_view_get_page (view));
  ui_test_wait_frames (GTK_WIDGET (view));
}

static gboolean
view_idle (gpointer data)
{
  return !_sy_classroom_view_is_busy (data);
}

static gboolean
dialog_closed (gpointer data)
{
  return _sy_classroom_view_get_dialog (data) == NULL && !_sy_classroom_view_is_busy (data);
}

static gboolean
dialog_open (gpointer data)
{
  return _sy_classroom_view_get_dialog (data) != NULL && !_sy_classroom_view_is_busy (data);
}

static gboolean
dialog_error_shown (gpointer data)
{
  return _sy_classroom_view_get_dialog_error (data) != NULL && !_sy_classroom_view_is_busy (data);
}

static void
activate (SyClassroomView *view,
          const char      *action,
          GVariant        *param)
{
  if (!gtk_widget_activate_action_variant (GTK_WIDGET (view), action, param))
    g_error ("the action %s is not enabled", action);
}

static void
set_text (GtkTextView *text,
          const char  *value)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (text), value, -1);
}

/* A row of the open dialog's list, found by what it carries */
static GtkListBoxRow *
dialog_row (SyClassroomView *view,
            const char      *course_id,
            const char      *item_id)
{
  GtkListBox *list = _sy_classroom_view_get_dialog_list (view);

  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "sy-course"), course_id) == 0 &&
        g_strcmp0 (g_object_get_data (G_OBJECT (row), "sy-item"), item_id) == 0)
      return GTK_LIST_BOX_ROW (row);
  return NULL;
}

static SyAttendance *
find_attendance (GPtrArray  *attendance,
                 const char *name)
{
  for (guint i = 0; i < attendance->len; i++)
    {
      SyAttendance *a = g_ptr_array_index (attendance, i);
      if (g_str_equal (a->name, name))
        return a;
    }
  g_assert_not_reached ();
}

/* Moves the class quiz's cursor to pupil @index, as Left and Right do */
static void
go_to_pupil (SyClassroomView *view,
             guint            index)
{
  while (_sy_classroom_view_get_quiz_pupil (view) != index)
    gtk_widget_activate_action (GTK_WIDGET (view),
                                _sy_classroom_view_get_quiz_pupil (view) < index ? "classroom.next-pupil"
                                                                                 : "classroom.previous-pupil",
                                NULL);
}

/* Types @text into the answer entry and presses Enter */
static void
type_answer (SyClassroomView *view,
             const char      *text)
{
  GtkEditable *entry = _sy_classroom_view_get_answer_entry (view);

  g_assert_nonnull (entry);
  gtk_editable_set_text (entry, text);
  g_signal_emit_by_name (entry, "activate");
}

/* The digits that put the ordering question's items right, as the class quiz numbers them */
static char *
solved_order (SyStore    *store,
              const char *question_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (store, CFK_ID, NULL, NULL, &error);
  g_autofree char *path = NULL;
  g_autoptr(SyQuiz) quiz = NULL;
  g_autoptr(GArray) order = NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  SyQuestion *question;

  g_assert_no_error (error);
  path = g_build_filename (sy_course_get_content_dir (course), "quizzes", "teacher-check.json", NULL);
  quiz = sy_quiz_load (path, FALSE, &error);
  g_assert_no_error (error);
  question = sy_quiz_find_question (quiz, question_id);
  order = sy_question_shuffle (question, 0);
  for (guint i = 0; i < order->len; i++)
    for (guint p = 0; p < order->len; p++)
      if (g_array_index (order, guint, p) == i)
        g_string_append_printf (digits, "%u", p + 1);
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

static SyLearner *
find_pupil (GPtrArray  *pupils,
            const char *name)
{
  for (guint i = 0; i < pupils->len; i++)
    if (g_str_equal (sy_learner_get_name (g_ptr_array_index (pupils, i)), name))
      return g_ptr_array_index (pupils, i);
  g_assert_not_reached ();
}

static SyStatus
item_status (SyStore    *store,
             SyLearner  *pupil,
             const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (store, CFK_ID, sy_learner_get_uuid (pupil),
                                                    NULL, &error);

  g_assert_no_error (error);
  return sy_course_find_item (course, item_id)->status;
}

static gboolean
toast_is (gpointer data)
{
  SyClassroomView *view = data;

  return !_sy_classroom_view_is_busy (view) &&
         g_strcmp0 (_sy_classroom_view_get_last_toast (view), g_object_get_data (G_OBJECT (view), "toast")) == 0;
}

static void
shot (Fixture    *f,
      GtkWidget  *widget,
      gboolean    zh,
      const char *name)
{
  g_autofree char *file = NULL;

  if (!zh)
    return;
  ui_test_assert_fits (f->window, 1024, 600);
  file = g_strdup_printf ("classroom-%s-zh_CN.png", name);
  ui_test_spin (300);
  ui_test_save_screenshot (widget, file);
}

/* ---- present mode ---- */

static gboolean
item_open (gpointer data)
{
  return ui_test_view_is (data, "item") && ui_test_window_settled (data);
}

static gboolean
course_open (gpointer data)
{
  return ui_test_view_is (data, "course") && !_sy_window_is_busy (data) && ui_test_window_settled (data);
}

static void
open_course (SyWindow *window)
{
  for (guint i = 0; i < _sy_window_get_n_cards (window); i++)
    {
      SyCourseCard *c = _sy_window_get_card (window, i);

      if (c != NULL && g_strcmp0 (sy_course_get_id (sy_course_card_get_course (c)), CFK_ID) == 0)
        {
          GtkWidget *item = gtk_widget_get_parent (GTK_WIDGET (c));
          gtk_widget_grab_focus (item);
          g_assert_true (gtk_widget_activate (item));
          g_assert_true (ui_test_wait_for (course_open, window));
          return;
        }
    }
  g_assert_not_reached ();
}

static void
open_item (Fixture    *f,
           SyLearner  *teacher,
           const char *item_id)
{
  g_autoptr(SyCourse) course = sy_store_get_course (f->store, CFK_ID, sy_learner_get_uuid (teacher), NULL, NULL);
  SyItem *item = sy_course_find_item (course, item_id);
  AdwActionRow *row = ui_test_find_row (GTK_WIDGET (_sy_window_get_course_page (f->window)),
                                        sy_text_get (item->title, NULL));

  g_assert_nonnull (row);
  gtk_widget_grab_focus (GTK_WIDGET (row));
  g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
  g_assert_true (ui_test_wait_for (item_open, f->window));
}

static gboolean
present_shown (gpointer data)
{
  GtkWindow *present = _sy_window_get_present_window (data);

  return present != NULL && gtk_widget_get_mapped (GTK_WIDGET (present));
}

static gboolean
present_gone (gpointer data)
{
  return _sy_window_get_present_window (data) == NULL;
}

static gboolean
lesson_scrollable (gpointer data)
{
  GtkWidget *present = data;
  int before = _sy_present_window_get_position (SY_PRESENT_WINDOW (present));

  gtk_widget_activate_action (present, "present.next", NULL);
  if (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)) > before)
    return TRUE;
  return FALSE;
}

static GtkWidget *
start_presenting (Fixture *f)
{
  GtkWidget *present;

  /* F5 is bound to win.present */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.present", NULL));
  g_assert_true (ui_test_wait_for (present_shown, f->window));
  present = GTK_WIDGET (_sy_window_get_present_window (f->window));
  ui_test_wait_frames (present);
  return present;
}

static void
stop_presenting (Fixture   *f,
                 GtkWidget *present)
{
  /* Escape (and F5 again) are bound to present.leave */
  g_assert_true (gtk_widget_activate_action (present, "present.leave", NULL));
  g_assert_true (ui_test_wait_for (present_gone, f->window));
}

static gboolean
class_chooser_shown (gpointer data)
{
  SyWindow *window = data;

  return ui_test_view_is (window, "learners") && _sy_window_get_learner (window) == NULL &&
         !_sy_window_is_busy (window) &&
         _sy_learner_chooser_get_n_learners (_sy_window_get_chooser (window)) == 3;
}

/* ---- the flow ---- */

static void
run_classroom (gboolean zh)
{
  Fixture f = { 0 };
  g_autoptr(SyLearner) teacher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pupils = NULL;
  g_autoptr(GPtrArray) attendance = NULL;
  g_autoptr(GPtrArray) assignments = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *class_uuid = NULL;
  SyClassroomView *view;
  GtkFlowBox *flow;
  GtkWidget *present;
  guint pending;

  if (zh)
    g_setenv ("LANGUAGE", "zh_CN", TRUE);

  f.data_dir = ui_test_make_data_dir ("shuyuan-classroom-XXXXXX");
  f.store = ui_test_open_store (f.data_dir);
  ui_test_import_samples (f.store, sample_dirs);
  teacher = sy_store_add_learner_full (f.store, "王老师", SY_ROLE_TEACHER, "2468", NULL, NULL, &error);
  g_assert_no_error (error);

  f.window = sy_application_open_data_dir (app, f.data_dir);
  ui_test_wait_settled (f.window);
  ui_test_resize_window (f.window, 1024, 600);

  /* Learners don't see the classroom; the teacher, signed in with the PIN, does. */
  ui_test_sign_in_with_pin (f.window, teacher, "2468");
  view = _sy_window_get_classroom_view (f.window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-classroom", NULL));
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "classroom");
  wait_page (view, "classes");
  ui_test_wait_settled (f.window);
  if (!zh)
    g_assert_true (ui_test_has_label (GTK_WIDGET (view), "No Classes Yet"));

  /* A class: an empty name is refused in the dialog. */
  activate (view, "classroom.new-class", NULL);
  g_assert_nonnull (_sy_classroom_view_get_dialog (view));
  click (_sy_classroom_view_get_dialog_button (view));
  g_assert_true (ui_test_wait_for (dialog_error_shown, view));
  gtk_editable_set_text (_sy_classroom_view_get_dialog_entry (view), "三年级一班");
  click (_sy_classroom_view_get_dialog_button (view));
  g_assert_true (ui_test_wait_for (dialog_closed, view));
  wait_page (view, "class");
  {
    g_autoptr(GPtrArray) classes = sy_store_list_classes (f.store, sy_learner_get_uuid (teacher), FALSE, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (classes->len, ==, 1);
    g_assert_cmpstr (((SyClass *) classes->pdata[0])->name, ==, "三年级一班");
    class_uuid = g_strdup (((SyClass *) classes->pdata[0])->uuid);
  }

  /* Pupils from a list, one a line; blank lines don't count; nothing typed: an error. */
  activate (view, "classroom.add-pupils", NULL);
  set_text (_sy_classroom_view_get_dialog_text (view), "  \n\n");
  click (_sy_classroom_view_get_dialog_button (view));
  g_assert_true (ui_test_wait_for (dialog_error_shown, view));
  g_assert_cmpuint (_sy_classroom_view_get_n_pupils (view), ==, 0);
  set_text (_sy_classroom_view_get_dialog_text (view), "李明\n王芳\n\n  张伟  \n");
  click (_sy_classroom_view_get_dialog_button (view));
  g_assert_true (ui_test_wait_for (dialog_closed, view));
  wait_page (view, "class");
  g_assert_cmpuint (_sy_classroom_view_get_n_pupils (view), ==, 3);
  pupils = sy_store_list_pupils (f.store, class_uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pupils->len, ==, 3);
  g_assert_false (sy_learner_get_has_pin (find_pupil (pupils, "张伟")));

  /* An avatar from the popover of the first pupil's row */
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    g_autoptr(GPtrArray) after = NULL;
    GtkWidget *choice = NULL;

    ui_test_collect (GTK_WIDGET (view), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len && choice == NULL; i++)
      if (gtk_widget_has_css_class (buttons->pdata[i], "avatar-choice") &&
          g_strcmp0 (g_object_get_data (buttons->pdata[i], "sy-avatar"), "monkey") == 0 &&
          g_strcmp0 (g_object_get_data (buttons->pdata[i], "sy-pupil"),
                     sy_learner_get_uuid (find_pupil (pupils, "李明"))) == 0)
        choice = buttons->pdata[i];
    g_assert_nonnull (choice);
    g_assert_nonnull (sy_avatar_icon_name ("monkey"));
    g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                            sy_avatar_icon_name ("monkey")));
    g_signal_emit_by_name (choice, "clicked");
    g_assert_true (ui_test_wait_for (view_idle, view));
    after = sy_store_list_pupils (f.store, class_uuid, NULL, &error);
    g_assert_cmpstr (sy_learner_get_avatar (find_pupil (after, "李明")), ==, "monkey");
  }

  /* Assign the whole course */
  activate (view, "classroom.assign", NULL);
  g_assert_true (ui_test_wait_for (view_idle, view));
  g_assert_nonnull (dialog_row (view, CFK_ID, "teacher-check"));
  g_assert_true (gtk_widget_activate (GTK_WIDGET (dialog_row (view, CFK_ID, NULL))));
  g_assert_true (ui_test_wait_for (dialog_closed, view));
  wait_page (view, "class");
  assignments = sy_store_list_assignments (f.store, class_uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assignments->len, ==, 1);
  shot (&f, GTK_WIDGET (f.window), zh, "class");

  /* A session: one tap per pupil, recorded at once */
  click (ui_test_find_named (GTK_WIDGET (view), "start-session"));
  wait_page (view, "attendance");
  g_assert_nonnull (_sy_classroom_view_get_session (view));
  flow = _sy_classroom_view_get_attendance_box (view);
  g_assert_nonnull (gtk_flow_box_get_child_at_index (flow, 2));
  if (!zh)
    g_assert_cmpstr (_sy_classroom_view_get_attendance_count (view), ==, "0 of 3 present");
  for (guint i = 0; i < 3; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (flow, i);
      g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (child)));
      gtk_widget_activate (GTK_WIDGET (child));
    }
  /* 张伟 was tapped by mistake: tapped again, absent. */
  for (guint i = 0; i < 3; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (flow, i);
      if (ui_test_has_label (GTK_WIDGET (child), "张伟"))
        gtk_widget_activate (GTK_WIDGET (child));
    }
  g_assert_true (ui_test_wait_for (view_idle, view));
  if (!zh)
    g_assert_cmpstr (_sy_classroom_view_get_attendance_count (view), ==, "2 of 3 present");
  attendance = sy_store_list_attendance (f.store, _sy_classroom_view_get_session (view), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attendance->len, ==, 3);
  g_assert_true (find_attendance (attendance, "李明")->present);
  g_assert_true (find_attendance (attendance, "王芳")->present);
  g_assert_false (find_attendance (attendance, "张伟")->present);
  shot (&f, GTK_WIDGET (f.window), zh, "attendance");

  /* The class quiz: typed answers, and an absent pupil */
  click (ui_test_find_named (GTK_WIDGET (view), "class-quiz"));
  g_assert_true (ui_test_wait_for (dialog_open, view));
  g_assert_null (dialog_row (view, CFK_ID, "what-is-a-program"));   /* a lesson: not offered */
  g_assert_true (gtk_widget_activate (GTK_WIDGET (dialog_row (view, CFK_ID, "teacher-check"))));
  wait_page (view, "quiz");
  g_assert_null (_sy_classroom_view_get_dialog (view));
  {
    /* The pupils appear in class order; whoever is where, the answers go by name. */
    g_autoptr(GPtrArray) order = sy_store_list_attendance (f.store, _sy_classroom_view_get_session (view), NULL, NULL);
    guint li = 0;

    for (guint i = 0; i < order->len; i++)
      if (g_str_equal (((SyAttendance *) order->pdata[i])->name, "李明"))
        li = i;
    /* Question 1 ("sequence", single choice, answer a: option 1). The cursor starts on
     * the first pupil who is here. */
    for (guint i = 0; i < order->len; i++)
      {
        SyAttendance *a = order->pdata[i];
        while (_sy_classroom_view_get_quiz_pupil (view) != i)
          activate (view, _sy_classroom_view_get_quiz_pupil (view) < i ? "classroom.next-pupil"
                                                                       : "classroom.previous-pupil", NULL);
        if (!a->present)
          activate (view, "classroom.absent", NULL);
        else if (i == li)
          activate (view, "classroom.answer", g_variant_new_int32 (1));
        else
          activate (view, "classroom.answer", g_variant_new_int32 (2));
      }
  }
  shot (&f, GTK_WIDGET (f.window), zh, "quiz");
  /* Page Down: the next question */
  activate (view, "classroom.next-question", NULL);
  g_assert_cmpuint (_sy_classroom_view_get_quiz_question (view), ==, 1);
  activate (view, "classroom.previous-question", NULL);
  g_assert_cmpuint (_sy_classroom_view_get_quiz_question (view), ==, 0);
  g_assert_true (ui_test_wait_for (view_idle, view));
  {
    g_autoptr(GPtrArray) order = sy_store_list_attendance (f.store, _sy_classroom_view_get_session (view), NULL, NULL);
    g_autofree char *solved = solved_order (f.store, "parsons-square");
    guint li = 0, wf = 0;

    for (guint i = 0; i < order->len; i++)
      if (g_str_equal (((SyAttendance *) order->pdata[i])->name, "李明"))
        li = i;
      else if (g_str_equal (((SyAttendance *) order->pdata[i])->name, "王芳"))
        wf = i;

    /* Question 2 ("wrong-way", multiple answer; right: options 1, 3 and 5): number keys
     * toggle options, Enter records. */
    activate (view, "classroom.next-question", NULL);
    g_assert_null (_sy_classroom_view_get_answer_entry (view));
    go_to_pupil (view, li);
    for (int k = 1; k <= 5; k++)
      activate (view, "classroom.answer", g_variant_new_int32 (k));
    activate (view, "classroom.answer", g_variant_new_int32 (2));   /* 2 again: off */
    activate (view, "classroom.answer", g_variant_new_int32 (4));   /* 4 again: off */
    activate (view, "classroom.record", NULL);
    go_to_pupil (view, wf);
    activate (view, "classroom.answer", g_variant_new_int32 (1));
    activate (view, "classroom.answer", g_variant_new_int32 (2));
    activate (view, "classroom.record", NULL);

    /* Question 4 ("loop-squares", numeric: 8): typed into the entry; what is not a number
     * is refused and nothing moves on */
    activate (view, "classroom.next-question", NULL);
    activate (view, "classroom.next-question", NULL);
    g_assert_cmpuint (_sy_classroom_view_get_quiz_question (view), ==, 3);
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f.window));

      g_assert_nonnull (focus);
      g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (_sy_classroom_view_get_answer_entry (view))));
    }
    go_to_pupil (view, li);
    g_assert_true (ui_test_wait_for (view_idle, view));
    type_answer (view, "eight");
    g_assert_cmpuint (_sy_classroom_view_get_quiz_pupil (view), ==, li);
    g_assert_cmpuint (_sy_classroom_view_get_n_pending (view), ==, 0);
    type_answer (view, " 8 ");
    go_to_pupil (view, wf);
    type_answer (view, "7");

    /* Question 5 ("bug-word", short text) */
    activate (view, "classroom.next-question", NULL);
    go_to_pupil (view, li);
    type_answer (view, " Bug ");
    go_to_pupil (view, wf);
    type_answer (view, "虫子");

    /* Question 6 ("parsons-square", ordering): the digits of the order; a number twice
     * is refused */
    activate (view, "classroom.next-question", NULL);
    go_to_pupil (view, li);
    type_answer (view, "11");
    g_assert_cmpuint (_sy_classroom_view_get_quiz_pupil (view), ==, li);
    type_answer (view, solved);
    g_assert_true (ui_test_wait_for (view_idle, view));
  }
  pending = _sy_classroom_view_get_n_pending (view);
  g_assert_cmpuint (pending, ==, 0);
  activate (view, "classroom.finish-quiz", NULL);
  wait_page (view, "results");
  g_assert_cmpuint (_sy_classroom_view_get_n_results (view), >=, 2);
  /* Each pupil's record: the two who answered have the quiz done (passed or not);
   * the absent pupil has nothing. */
  g_assert_cmpint (item_status (f.store, find_pupil (pupils, "李明"), "teacher-check"), !=, SY_STATUS_NOT_STARTED);
  g_assert_cmpint (item_status (f.store, find_pupil (pupils, "王芳"), "teacher-check"), !=, SY_STATUS_NOT_STARTED);
  g_assert_cmpint (item_status (f.store, find_pupil (pupils, "张伟"), "teacher-check"), ==, SY_STATUS_NOT_STARTED);
  {
    g_autoptr(GPtrArray) attempts = sy_store_list_attempts (f.store, sy_learner_get_uuid (find_pupil (pupils, "李明")),
                                                            CFK_ID, "teacher-check", NULL, &error);
    SyAttempt *attempt;

    g_assert_no_error (error);
    g_assert_cmpuint (attempts->len, ==, 1);
    /* recorded as the pupil's own quiz records them, and graded so: 5 of 8 right */
    attempt = attempts->pdata[0];
    g_assert_true (attempt->finished);
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "sequence"), ==, "a");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "wrong-way"), ==, "ask-where[,]finger[,]praise");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "loop-squares"), ==, "8");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "bug-word"), ==, "Bug");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "parsons-square"), ==,
                     "start[,]repeat[,]forward[,]right[,]lamp");
    g_assert_null (g_hash_table_lookup (attempt->answers, "blocks-match"));
    g_assert_cmpfloat_with_epsilon (attempt->score, 5 / 8.0, 1e-9);
  }
  {
    g_autoptr(GPtrArray) attempts = sy_store_list_attempts (f.store, sy_learner_get_uuid (find_pupil (pupils, "王芳")),
                                                            CFK_ID, "teacher-check", NULL, &error);
    SyAttempt *attempt;

    g_assert_no_error (error);
    g_assert_cmpuint (attempts->len, ==, 1);
    /* only "虫子" (an accepted answer) is right: 1 of 8 */
    attempt = attempts->pdata[0];
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "sequence"), ==, "b");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "wrong-way"), ==, "ask-where[,]fix-it");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "loop-squares"), ==, "7");
    g_assert_cmpstr (g_hash_table_lookup (attempt->answers, "bug-word"), ==, "虫子");
    g_assert_null (g_hash_table_lookup (attempt->answers, "parsons-square"));
    g_assert_cmpfloat_with_epsilon (attempt->score, 1 / 8.0, 1e-9);
    g_assert_false (attempt->passed);
  }
  shot (&f, GTK_WIDGET (f.window), zh, "results");

  /* The coach report, and its PDF */
  g_assert_true (sy_classroom_view_go_back (view));
  wait_page (view, "attendance");
  g_assert_true (sy_classroom_view_go_back (view));
  wait_page (view, "class");
  click (ui_test_find_named (GTK_WIDGET (view), "coach-report"));
  wait_page (view, "report");
  g_assert_true (_sy_classroom_view_has_report (view));
  g_assert_true (ui_test_has_label (GTK_WIDGET (view), "张伟"));
  g_assert_true (gtk_widget_is_sensitive (ui_test_find_named (GTK_WIDGET (view), "save-pdf")));
  shot (&f, GTK_WIDGET (f.window), zh, "report");
  pdf = g_build_filename (f.data_dir, "report.pdf", NULL);
  g_object_set_data (G_OBJECT (view), "toast", zh ? "报告已保存" : "Report saved");
  _sy_classroom_view_save_report (view, pdf);
  /* The first PDF with Chinese text loads the CJK fonts: that takes a while here. */
  if (!ui_test_wait_for_ms (toast_is, view, 20000))
    g_error ("no “Report saved”: [%s] (busy %d) [%s] %d", _sy_classroom_view_get_last_toast (view), _sy_classroom_view_is_busy (view), (char *) g_object_get_data (G_OBJECT (view), "toast"), toast_is (view));
  {
    g_autofree char *out = NULL;
    const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
    int status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "李明"));
    g_assert_nonnull (strstr (out, "王芳"));
    g_assert_nonnull (strstr (out, "张伟"));
    g_assert_nonnull (strstr (out, "三年级一班"));
  }

  /* Back to the library; the classroom is left behind. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  wait_page (view, "class");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  wait_page (view, "classes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  ui_test_wait_settled (f.window);
  g_assert_cmpstr (_sy_window_get_view (f.window), ==, "courses");

  /* Present mode: a lesson, moved a screenful at a time */
  open_course (f.window);
  open_item (&f, teacher, "what-is-a-program");
  present = start_presenting (&f);
  g_assert_false (_sy_present_window_is_quiz (SY_PRESENT_WINDOW (present)));
  g_assert_false (ui_test_has_label (present, "王老师"));
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 0);
  g_assert_true (ui_test_wait_for (lesson_scrollable, present));
  g_assert_true (gtk_widget_activate_action (present, "present.previous", NULL));
  g_assert_true (gtk_widget_activate_action (present, "present.previous", NULL));
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 0);
  stop_presenting (&f, present);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for (course_open, f.window));

  /* ... and a quiz, question by question, nothing recorded */
  open_item (&f, teacher, "teacher-check");
  present = start_presenting (&f);
  g_assert_true (_sy_present_window_is_quiz (SY_PRESENT_WINDOW (present)));
  g_assert_false (ui_test_has_label (present, "王老师"));
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 0);
  g_assert_true (gtk_widget_activate_action (present, "present.next", NULL));
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 1);
  /* A question taller than the screen scrolls first: Page Down until the next one */
  for (guint i = 0; i < 10 && _sy_present_window_get_position (SY_PRESENT_WINDOW (present)) < 2; i++)
    {
      ui_test_wait_frames (present);
      g_assert_true (gtk_widget_activate_action (present, "present.next", NULL));
    }
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 2);
  g_assert_true (gtk_widget_activate_action (present, "present.previous", NULL));
  g_assert_cmpint (_sy_present_window_get_position (SY_PRESENT_WINDOW (present)), ==, 1);
  if (zh)
    {
      ui_test_spin (300);
      ui_test_save_screenshot (present, "classroom-present-zh_CN.png");
    }
  stop_presenting (&f, present);

  /* Class mode: the PC serves the class's pupils, each with the assigned work only */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for (course_open, f.window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  ui_test_wait_settled (f.window);
  /* Only the teacher's quiz is assigned now, not the whole course. */
  g_assert_true (sy_store_unassign (f.store, class_uuid, CFK_ID, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sy_store_assign (f.store, class_uuid, CFK_ID, "teacher-check", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-classroom", NULL));
  wait_page (view, "classes");
  shot (&f, GTK_WIDGET (f.window), zh, "classes");
  g_assert_true (gtk_widget_activate (gtk_widget_get_first_child (GTK_WIDGET (_sy_classroom_view_get_classes_list (view)))));
  wait_page (view, "class");
  activate (view, "classroom.class-mode", NULL);
  g_assert_true (ui_test_wait_for (class_chooser_shown, f.window));
  g_assert_null (_sy_learner_chooser_get_tile (_sy_window_get_chooser (f.window), NULL));
  g_assert_null (_sy_learner_chooser_get_tile (_sy_window_get_chooser (f.window), sy_learner_get_uuid (teacher)));
  shot (&f, GTK_WIDGET (f.window), zh, "class-mode");
  {
    GtkWidget *tile = _sy_learner_chooser_get_tile (_sy_window_get_chooser (f.window),
                                                    sy_learner_get_uuid (find_pupil (pupils, "王芳")));
    g_assert_nonnull (tile);
    g_assert_true (gtk_widget_activate (tile));     /* no PIN */
    g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));
    g_assert_cmpstr (sy_learner_get_name (_sy_window_get_learner (f.window)), ==, "王芳");
    g_assert_cmpuint (_sy_window_get_n_cards (f.window), ==, 1);
    g_assert_false (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (f.window), "classroom-button")));
  }
  open_course (f.window);
  {
    /* Only the assigned quiz is listed: no other item, no module left empty */
    g_autoptr(SyCourse) course = sy_store_get_course (f.store, CFK_ID, sy_learner_get_uuid (teacher), NULL, NULL);
    g_autoptr(GPtrArray) groups = g_ptr_array_new ();
    GtkWidget *page = GTK_WIDGET (_sy_window_get_course_page (f.window));

    g_assert_null (ui_test_find_row (page, sy_text_get (sy_course_find_item (course, "what-is-a-program")->title, NULL)));
    g_assert_nonnull (ui_test_find_row (page, sy_text_get (sy_course_find_item (course, "teacher-check")->title, NULL)));
    ui_test_collect (page, ADW_TYPE_PREFERENCES_GROUP, groups);
    g_assert_cmpuint (groups->len, ==, 1);
  }
  open_item (&f, teacher, "teacher-check");
  /* Done: back to the chooser for the next pupil */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for (class_chooser_shown, f.window));
  /* Leaving the mode takes the teacher's PIN */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.leave-class-mode", NULL));
  g_assert_true (ui_test_wait_for (ui_test_pin_dialog_shown, f.window));
  {
    GtkEditable *entry = _sy_pin_dialog_get_entry (SY_PIN_DIALOG (_sy_window_get_learner_dialog (f.window)));
    gtk_editable_set_text (entry, "2468");
    g_signal_emit_by_name (entry, "activate");
  }
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));
  g_assert_cmpstr (sy_learner_get_uuid (_sy_window_get_learner (f.window)), ==, sy_learner_get_uuid (teacher));
  g_assert_true (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (f.window), "classroom-button")));

  if (zh)
    g_unsetenv ("LANGUAGE");
  fixture_clear (&f);
}

static void
test_classroom (void)
{
  run_classroom (FALSE);
}

static void
test_screenshots (void)
{
  run_classroom (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  app = ui_test_register_app ();

  g_test_add_func ("/classroom-ui/teacher/flow", test_classroom);
  g_test_add_func ("/classroom-ui/screenshots/zh-CN", test_screenshots);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
