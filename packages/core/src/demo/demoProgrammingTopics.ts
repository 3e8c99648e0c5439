import { type DemoTopic, moduleSeed, resource, stageSeed } from './demoTopic.js';

export const rust: DemoTopic = {
  id: 'rust',
  name: 'Rust',
  pattern: /\brust\b|\bcargo\b/,
  technologies: ['Rust', 'Cargo', 'rustup', 'Clippy', 'Tokio'],
  codeLanguage: 'rust',
  commentPrefix: '//',
  codeSample: `fn main() {
    let words = vec!["ownership", "borrowing", "lifetimes"];
    let lengths: Vec<usize> = words.iter().map(|word| word.len()).collect();
    println!("{:?}", lengths);
}`,
  stages: [
    stageSeed(
      'Rust foundations',
      'Install the toolchain and write small programs with the core syntax.',
      moduleSeed('Getting started', [
        'Installing Rust with rustup',
        'Cargo projects and crates',
        'Variables and mutability',
      ]),
      moduleSeed('Control flow and data', [
        'Functions and expressions',
        'Pattern matching with match',
        'Structs and enums',
      ]),
    ),
    stageSeed(
      'Ownership and the type system',
      'The ideas that make Rust memory-safe without a garbage collector.',
      moduleSeed('Memory safety', ['Ownership rules', 'Borrowing and references', 'Lifetimes']),
      moduleSeed('Abstraction', ['Traits and generics', 'Error handling with Result', 'Collections and iterators']),
    ),
    stageSeed(
      'Building real programs',
      'Organise, test and parallelise larger Rust code bases.',
      moduleSeed('Project structure', [
        'Modules and visibility',
        'Testing with cargo test',
        'Using crates from crates.io',
      ]),
      moduleSeed('Concurrency', [
        'Threads and message passing',
        'Shared state with Arc and Mutex',
        'Async Rust with Tokio',
      ]),
    ),
    stageSeed(
      'Advanced Rust',
      'Low-level control, metaprogramming and shipping production software.',
      moduleSeed('Under the hood', ['Smart pointers', 'Unsafe Rust', 'Declarative macros']),
      moduleSeed('Shipping software', ['Performance profiling', 'Building a command-line tool', 'Publishing a crate']),
    ),
  ],
  resources: [
    resource('book', 'The Rust Programming Language', 'https://doc.rust-lang.org/book/', 'The official book.'),
    resource('documentation', 'Rust by Example', 'https://doc.rust-lang.org/rust-by-example/', 'Runnable examples.'),
    resource('documentation', 'Rust standard library', 'https://doc.rust-lang.org/std/', 'API reference.'),
    resource('documentation', 'The Cargo Book', 'https://doc.rust-lang.org/cargo/', 'Build system and packages.'),
    resource('tool', 'Rustlings', 'https://github.com/rust-lang/rustlings', 'Small exercises run locally.'),
    resource('tool', 'Rust Playground', 'https://play.rust-lang.org/', 'Run Rust in the browser.'),
  ],
  fact: {
    question: "Which tool is Rust's build system and package manager?",
    options: ['Cargo', 'pip', 'npm', 'Maven'],
    answer: 0,
    explanation: 'Cargo builds Rust projects, runs their tests and downloads crates.',
  },
};

export const python: DemoTopic = {
  id: 'python',
  name: 'Python',
  pattern: /\bpython\b|\bdjango\b|\bflask\b|\bfastapi\b/,
  technologies: ['Python', 'pip', 'venv', 'pytest', 'FastAPI'],
  codeLanguage: 'python',
  commentPrefix: '#',
  codeSample: `def word_lengths(words: list[str]) -> dict[str, int]:
    return {word: len(word) for word in words}

print(word_lengths(["list", "dict", "set"]))`,
  stages: [
    stageSeed(
      'Python foundations',
      'Set up Python and learn the core syntax and built-in types.',
      moduleSeed('Getting started', ['Installing Python and virtual environments', 'Built-in types', 'Control flow']),
      moduleSeed('Functions and data', ['Functions and arguments', 'Lists, dicts and sets', 'String formatting']),
    ),
    stageSeed(
      'Idiomatic Python',
      'Write code the way experienced Python developers do.',
      moduleSeed('Pythonic code', ['Comprehensions', 'Iterators and generators', 'Exceptions']),
      moduleSeed('Object-oriented Python', ['Classes and objects', 'Dataclasses', 'Modules and packages']),
    ),
    stageSeed(
      'Python in practice',
      'Tooling and the everyday tasks of real projects.',
      moduleSeed('Tooling', ['Package management with pip', 'Testing with pytest', 'Type hints and mypy']),
      moduleSeed('Working with data', ['Files and pathlib', 'JSON and CSV', 'HTTP requests']),
    ),
    stageSeed(
      'Advanced Python',
      'Language internals, concurrency and shipping Python applications.',
      moduleSeed('Language internals', ['Decorators', 'Context managers', 'Async with asyncio']),
      moduleSeed('Shipping Python', [
        'Profiling and performance',
        'Building a web API with FastAPI',
        'Packaging a library',
      ]),
    ),
  ],
  resources: [
    resource('documentation', 'The Python Tutorial', 'https://docs.python.org/3/tutorial/', 'The official tutorial.'),
    resource('documentation', 'Python standard library', 'https://docs.python.org/3/library/', 'API reference.'),
    resource('article', 'Real Python tutorials', 'https://realpython.com/', 'Practical articles by topic.'),
    resource('book', 'Automate the Boring Stuff with Python', 'https://automatetheboringstuff.com/', 'Free book.'),
    resource('documentation', 'Python Packaging User Guide', 'https://packaging.python.org/', 'Packaging.'),
    resource('tool', 'pytest', 'https://docs.pytest.org/', 'The most used Python test runner.'),
  ],
  fact: {
    question: 'Which keyword defines a named function in Python?',
    options: ['def', 'func', 'fn', 'sub'],
    answer: 0,
    explanation: '`def name(arguments):` defines a function; `lambda` only defines anonymous expressions.',
  },
};

export const go: DemoTopic = {
  id: 'go',
  name: 'Go',
  pattern:
    /\bgolang\b|\bgo\s+(?:lang|language|programming|developer|backend|concurrency)\b|\b(?:learn|learning|master|study|in|with|at)\s+go\b/,
  technologies: ['Go', 'Go modules', 'goroutines', 'net/http', 'pprof'],
  codeLanguage: 'go',
  commentPrefix: '//',
  codeSample: `package main

import "fmt"

func main() {
	results := make(chan int)
	for _, n := range []int{1, 2, 3} {
		go func(n int) { results <- n * n }(n)
	}
	fmt.Println(<-results + <-results + <-results)
}`,
  stages: [
    stageSeed(
      'Go foundations',
      'Install Go and learn its small, explicit core language.',
      moduleSeed('Getting started', [
        'Installing Go and the go command',
        'Packages and modules',
        'Variables and types',
      ]),
      moduleSeed('Core language', ['Functions and multiple return values', 'Slices and maps', 'Structs and methods']),
    ),
    stageSeed(
      'Idiomatic Go',
      'Interfaces, explicit errors and the tooling that keeps Go code uniform.',
      moduleSeed('Abstractions', ['Interfaces', 'Error handling in Go', 'Generics in Go']),
      moduleSeed('Code quality', ['Testing with go test', 'Formatting and vetting code', 'Documentation with go doc']),
    ),
    stageSeed(
      'Concurrency',
      'Goroutines and channels, and how to coordinate and cancel work.',
      moduleSeed('Concurrency primitives', ['Goroutines', 'Channels', 'The select statement']),
      moduleSeed('Coordinating work', ['WaitGroups and mutexes', 'Context and cancellation', 'Worker pools']),
    ),
    stageSeed(
      'Building services',
      'Web services and the practices of running Go in production.',
      moduleSeed('Web services', ['HTTP servers with net/http', 'JSON encoding', 'Database access with database/sql']),
      moduleSeed('Production Go', ['Profiling with pprof', 'Structured logging', 'Building and deploying binaries']),
    ),
  ],
  resources: [
    resource('course', 'A Tour of Go', 'https://go.dev/tour/', 'The official interactive introduction.'),
    resource('documentation', 'Effective Go', 'https://go.dev/doc/effective_go', 'How to write idiomatic Go.'),
    resource('documentation', 'Go standard library', 'https://pkg.go.dev/std', 'API reference.'),
    resource('article', 'Go by Example', 'https://gobyexample.com/', 'Annotated example programs.'),
    resource('book', 'Learn Go with Tests', 'https://quii.gitbook.io/learn-go-with-tests', 'Test-driven book.'),
    resource('tool', 'Go Playground', 'https://go.dev/play/', 'Run Go in the browser.'),
  ],
  fact: {
    question: 'Which keyword starts a new goroutine in Go?',
    options: ['go', 'async', 'spawn', 'thread'],
    answer: 0,
    explanation: '`go f()` runs `f` concurrently in a new goroutine.',
  },
};

export const sql: DemoTopic = {
  id: 'sql',
  name: 'SQL and databases',
  pattern: /\bsql\b|database|postgres|mysql|sqlite/,
  technologies: ['SQL', 'PostgreSQL', 'SQLite', 'indexes', 'transactions'],
  codeLanguage: 'sql',
  commentPrefix: '--',
  codeSample: `SELECT customer_id, count(*) AS orders, sum(total) AS revenue
FROM orders
WHERE created_at >= date '2024-01-01'
GROUP BY customer_id
HAVING count(*) > 2
ORDER BY revenue DESC;`,
  stages: [
    stageSeed(
      'Relational foundations',
      'Tables, keys and the first queries.',
      moduleSeed('The relational model', [
        'Tables, rows and keys',
        'Data types and constraints',
        'Installing PostgreSQL',
      ]),
      moduleSeed('Querying', ['SELECT and WHERE', 'Sorting and limiting results', 'Aggregates and GROUP BY']),
    ),
    stageSeed(
      'Working with multiple tables',
      'Combine tables and change data safely.',
      moduleSeed('Joins', ['Inner joins', 'Outer joins', 'Subqueries']),
      moduleSeed('Changing data', ['INSERT, UPDATE and DELETE', 'Transactions', 'Views']),
    ),
    stageSeed(
      'Database design',
      'Model data well and query it with the full power of SQL.',
      moduleSeed('Modeling', ['Normalization', 'Entity-relationship modeling', 'Schema migrations']),
      moduleSeed('Advanced queries', ['Common table expressions', 'Window functions', 'JSON in PostgreSQL']),
    ),
    stageSeed(
      'Performance and operations',
      'Make queries fast and keep databases available.',
      moduleSeed('Performance', ['Indexes', 'Reading query plans with EXPLAIN', 'Isolation levels and locking']),
      moduleSeed('Operations', ['Backups and restore', 'Replication', 'Connection pooling']),
    ),
  ],
  resources: [
    resource('documentation', 'PostgreSQL documentation', 'https://www.postgresql.org/docs/current/', 'Reference.'),
    resource('documentation', 'SQLite documentation', 'https://www.sqlite.org/docs.html', 'The embedded database.'),
    resource('course', 'SQLBolt', 'https://sqlbolt.com/', 'Interactive SQL lessons.'),
    resource('book', 'Use The Index, Luke', 'https://use-the-index-luke.com/', 'SQL indexing and tuning.'),
    resource('article', 'PostgreSQL Tutorial', 'https://www.postgresqltutorial.com/', 'Step-by-step articles.'),
    resource('tool', 'DB Fiddle', 'https://www.db-fiddle.com/', 'Run SQL in the browser.'),
  ],
  fact: {
    question: 'Which SQL clause filters groups after aggregation?',
    options: ['HAVING', 'WHERE', 'ORDER BY', 'LIMIT'],
    answer: 0,
    explanation: '`WHERE` filters rows before grouping; `HAVING` filters the groups produced by `GROUP BY`.',
  },
};
