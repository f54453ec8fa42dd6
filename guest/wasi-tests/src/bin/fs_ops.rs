//! File-system exercise run with the preopen `/data` holding `in.txt`
//! ("hello wasi\n") and an empty directory `empty/`; `/secret.txt` exists
//! outside the preopen and must stay unreachable.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime};
use wasi_tests::raw::{pread, pwrite, symlink};
use wasi_tests::Checks;

/// The first preopen (`/data`) is fd 3.
const DATA: u32 = 3;

fn main() {
    let mut c = Checks::new();
    files(&mut c);
    directories(&mut c);
    links(&mut c);
    sandbox(&mut c);
    c.finish()
}

fn kind<T>(r: std::io::Result<T>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

fn files(c: &mut Checks) {
    c.eq(
        "read",
        fs::read_to_string("/data/in.txt").ok(),
        Some("hello wasi\n".into()),
    );
    c.eq(
        "write",
        fs::write("/data/out.txt", b"first line\n").is_ok(),
        true,
    );
    let appended = OpenOptions::new()
        .append(true)
        .open("/data/out.txt")
        .and_then(|mut f| f.write_all(b"second line\n"));
    c.eq("append", appended.is_ok(), true);
    c.eq(
        "read back",
        fs::read_to_string("/data/out.txt").ok(),
        Some("first line\nsecond line\n".into()),
    );

    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/data/out.txt")
        .unwrap();
    let fd = f.as_raw_fd() as u32;
    let mut word = [0u8; 4];
    f.seek(SeekFrom::Start(6)).unwrap();
    f.read_exact(&mut word).unwrap();
    c.eq("seek start", &word, b"line");
    f.seek(SeekFrom::End(-5)).unwrap();
    let mut tail = String::new();
    f.read_to_string(&mut tail).unwrap();
    c.eq("seek end", tail.as_str(), "line\n");
    f.seek(SeekFrom::Current(-11)).unwrap();
    c.eq("tell", f.stream_position().unwrap(), 12);

    c.eq("pwrite", pwrite(fd, b"FIRST", 0), Ok(5));
    let mut head = [0u8; 5];
    c.eq("pread", pread(fd, &mut head, 0), Ok(5));
    c.eq("pread data", &head, b"FIRST");
    c.eq("pread keeps position", f.stream_position().unwrap(), 12);
    c.eq("pread past end", pread(fd, &mut head, 1000), Ok(0));

    f.set_len(5).unwrap();
    c.eq("truncate", f.metadata().unwrap().len(), 5);
    f.set_len(8).unwrap();
    c.eq(
        "extend with zeros",
        fs::read("/data/out.txt").unwrap(),
        b"FIRST\0\0\0".to_vec(),
    );
    // Writing past the end leaves a hole that reads back as zeros.
    pwrite(fd, b"!", 10).unwrap();
    c.eq("sparse write", fs::read("/data/out.txt").unwrap().len(), 11);
    drop(f);

    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let set = File::options()
        .write(true)
        .open("/data/out.txt")
        .and_then(|f| f.set_modified(t));
    c.eq("set mtime", set.is_ok(), true);
    c.eq(
        "mtime",
        fs::metadata("/data/out.txt")
            .and_then(|m| m.modified())
            .ok(),
        Some(t),
    );

    let excl = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open("/data/in.txt");
    c.eq(
        "O_EXCL on existing",
        kind(excl),
        Some(ErrorKind::AlreadyExists),
    );
    c.eq(
        "open missing",
        kind(File::open("/data/missing.txt")),
        Some(ErrorKind::NotFound),
    );
    let trunc = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open("/data/trunc.txt");
    c.eq(
        "O_TRUNC without O_CREAT",
        kind(trunc),
        Some(ErrorKind::NotFound),
    );
    fs::write("/data/trunc.txt", b"0123456789").unwrap();
    OpenOptions::new()
        .write(true)
        .truncate(true)
        .open("/data/trunc.txt")
        .unwrap();
    c.eq("O_TRUNC", fs::metadata("/data/trunc.txt").unwrap().len(), 0);
    c.eq(
        "read a directory as a file",
        fs::read("/data/empty").is_err(),
        true,
    );
}

fn directories(c: &mut Checks) {
    c.eq("mkdir", fs::create_dir("/data/d").is_ok(), true);
    c.eq(
        "mkdir existing",
        kind(fs::create_dir("/data/d")),
        Some(ErrorKind::AlreadyExists),
    );
    c.eq("mkdir -p", fs::create_dir_all("/data/d/e/f").is_ok(), true);
    for name in ["b.txt", "a.txt", "c.txt"] {
        fs::write(format!("/data/d/{name}"), name).unwrap();
    }
    let mut names: Vec<String> = fs::read_dir("/data/d")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    c.eq(
        "readdir",
        names,
        vec!["a.txt".into(), "b.txt".into(), "c.txt".into(), "e".into()],
    );
    let empty = fs::read_dir("/data/empty").map(|d| d.count()).ok();
    c.eq("readdir empty", empty, Some(0));
    // Many entries force fd_readdir to be called with a cookie more than once.
    fs::create_dir("/data/many").unwrap();
    for i in 0..300 {
        fs::write(format!("/data/many/file-with-a-long-name-{i:04}"), []).unwrap();
    }
    c.eq(
        "readdir 300",
        fs::read_dir("/data/many").unwrap().count(),
        300,
    );
    c.eq(
        "is_dir",
        fs::metadata("/data/d/e").map(|m| m.is_dir()).ok(),
        Some(true),
    );
    c.eq(
        "is_file",
        fs::metadata("/data/d/a.txt").map(|m| m.is_file()).ok(),
        Some(true),
    );

    c.eq(
        "rmdir non-empty",
        fs::remove_dir("/data/d/e").is_err(),
        true,
    );
    c.eq("rmdir", fs::remove_dir("/data/d/e/f").is_ok(), true);
    c.eq("unlink", fs::remove_file("/data/d/c.txt").is_ok(), true);
    c.eq(
        "unlink gone",
        kind(fs::metadata("/data/d/c.txt")),
        Some(ErrorKind::NotFound),
    );
    c.eq(
        "unlink a directory",
        fs::remove_file("/data/d/e").is_err(),
        true,
    );
    c.eq(
        "rename file",
        fs::rename("/data/d/a.txt", "/data/d/e/moved.txt").is_ok(),
        true,
    );
    c.eq(
        "renamed",
        fs::read_to_string("/data/d/e/moved.txt").ok(),
        Some("a.txt".into()),
    );
    c.eq(
        "rename over file",
        fs::rename("/data/d/b.txt", "/data/d/e/moved.txt").is_ok(),
        true,
    );
    c.eq(
        "replaced",
        fs::read_to_string("/data/d/e/moved.txt").ok(),
        Some("b.txt".into()),
    );
    c.eq(
        "rename dir",
        fs::rename("/data/d", "/data/renamed").is_ok(),
        true,
    );
    c.eq(
        "rename into itself",
        fs::rename("/data/renamed", "/data/renamed/e/x").is_err(),
        true,
    );
    c.eq(
        "remove_dir_all",
        fs::remove_dir_all("/data/many").is_ok(),
        true,
    );
}

fn links(c: &mut Checks) {
    c.eq("symlink", symlink("in.txt", DATA, "link").is_ok(), true);
    c.eq(
        "readlink",
        fs::read_link("/data/link").ok(),
        Some("in.txt".into()),
    );
    c.eq(
        "follow symlink",
        fs::read_to_string("/data/link").ok(),
        Some("hello wasi\n".into()),
    );
    let is_link = fs::symlink_metadata("/data/link")
        .map(|m| m.file_type().is_symlink())
        .ok();
    c.eq("lstat", is_link, Some(true));
    symlink("loop-b", DATA, "loop-a").unwrap();
    symlink("loop-a", DATA, "loop-b").unwrap();
    c.eq("symlink loop", fs::read("/data/loop-a").is_err(), true);
    symlink("/secret.txt", DATA, "abs").unwrap();
    c.eq(
        "absolute symlink refused",
        fs::read("/data/abs").is_err(),
        true,
    );

    c.eq(
        "hard link",
        fs::hard_link("/data/in.txt", "/data/hard.txt").is_ok(),
        true,
    );
    fs::write("/data/hard.txt", b"changed via link\n").unwrap();
    c.eq(
        "shared inode",
        fs::read_to_string("/data/in.txt").ok(),
        Some("changed via link\n".into()),
    );
    c.eq(
        "unlink symlink",
        fs::remove_file("/data/link").is_ok(),
        true,
    );
    c.eq("target kept", fs::metadata("/data/in.txt").is_ok(), true);
}

fn sandbox(c: &mut Checks) {
    c.eq(
        "dotdot escape",
        fs::read("/data/../secret.txt").is_err(),
        true,
    );
    c.eq("outside preopen", fs::read("/secret.txt").is_err(), true);
    c.eq(
        "dotdot inside",
        fs::read_to_string("/data/empty/../trunc.txt").ok(),
        Some(String::new()),
    );
}
